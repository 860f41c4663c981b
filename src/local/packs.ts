/** Where the local backend puts a meeting pack: packs/<date>.html and .md in the workspace. */
import * as path from 'node:path';
import type { PackOutcome } from '../core/cycle';
import { renderHtml } from '../core/render-html';
import { renderMarkdown } from '../core/render-markdown';
import type { EmlAttachment } from '../mail/mime';
import type { RunFile } from './backend';
import type { WorkspacePaths } from './workspace';

/** The value recorded in the Meetings tab's Pack column: relative to the workspace. */
export function packLocation(meetingDate: string): string {
  return `packs/${meetingDate}.html`;
}

export function packFiles(outcome: PackOutcome, paths: WorkspacePaths): { path: string; data: string }[] {
  if (!outcome.document || !outcome.meeting) return [];
  const base = path.join(paths.packs, outcome.meeting.date);
  return [
    { path: `${base}.html`, data: renderHtml(outcome.document) },
    { path: `${base}.md`, data: renderMarkdown(outcome.document) },
  ];
}

/** The pack email's attachment: the HTML pack among the files a run writes (none: none). */
export function packAttachment(file: RunFile): EmlAttachment[] {
  if (!file.path.endsWith('.html')) return [];
  return [
    { filename: `milestone-pack-${path.basename(file.path)}`, contentType: 'text/html', content: file.data },
  ];
}
