/**
 * A small document model: what the meeting pack and the emails are made of. Renderers
 * (Markdown, HTML, Google Docs requests) turn it into output; none of them decides content.
 * All text is people's data: renderers escape it, never interpret it.
 */
import type { Status } from './types';

export type Inline =
  | string
  | { text: string; bold?: boolean; italic?: boolean; link?: string; status?: Status; muted?: boolean };

/** A table cell: inline content, optionally coloured by a milestone status. */
export interface TableCell {
  content: Inline[];
  status?: Status;
}

export type Block =
  /**
   * `box`: the section this level-2 heading opens (up to the next one) is a box of its own — the
   * pack's "At a glance" (printed alone on page 1) or its "Register problems".
   */
  | { type: 'heading'; level: 1 | 2 | 3; text: string; id?: string; box?: 'glance' | 'problems' }
  | { type: 'paragraph'; content: Inline[] }
  | { type: 'list'; ordered: boolean; items: Inline[][] }
  | { type: 'table'; columns: string[]; rows: TableCell[][]; caption?: string }
  /** The cut line of the topic list: where the discussion time runs out. */
  | { type: 'cut'; text: string }
  /**
   * A picture (charts.ts): drawn as inline SVG in HTML, given as a compact table where a renderer
   * cannot draw (Markdown, the Google Doc). `alt` says in words what it shows.
   */
  | { type: 'chart'; chart: Chart; caption: string; alt: string };

/** The milestone trend analysis: each series' forecast at each meeting (dates, oldest first). */
export interface TrendChart {
  kind: 'trend';
  meetings: string[];
  series: { label: string; title: string; due?: string; values: (string | undefined)[] }[];
}

/** Milestones per status for each category (strategic priority), stacked. */
export interface MixChart {
  kind: 'mix';
  statuses: Status[];
  rows: { label: string; counts: number[]; unreadable: number }[];
}

export type Chart = TrendChart | MixChart;

export interface Document {
  title: string;
  subtitle?: string;
  blocks: Block[];
}

export function cell(...content: Inline[]): TableCell {
  return { content };
}

export function inlineText(inline: Inline): string {
  return typeof inline === 'string' ? inline : inline.text;
}

export function plainText(content: Inline[]): string {
  return content.map(inlineText).join('');
}
