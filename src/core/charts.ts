/**
 * The pack's pictures: the milestone trend analysis and the status mix per strategic priority
 * (data from trend.ts), as document blocks; drawn as inline SVG for HTML (no script, no external
 * resource: the pack stays one self-contained file), and as compact tables for the renderers
 * that cannot draw (Markdown, plain text, the Google Doc — whose Docs API inserts images only
 * from a URL: "Documents: insertInlineImage" — "The image URI must be publicly accessible",
 * which a private chart is not; the Sheet's Dashboard tab holds the native charts).
 */
import type { Block, Chart, MixChart, TableCell, TrendChart } from './document';
import { cell } from './document';
import { STATUS_COLOURS } from './layout';
import { STATUSES } from './register';
import type { MilestoneTrend, StatusMixRow } from './trend';
import type { Status } from './types';
import { dateTrail, shortDate } from './warnings';

export function trendBlock(trend: MilestoneTrend): Block {
  const chart: TrendChart = {
    kind: 'trend',
    meetings: trend.meetings,
    series: trend.series.map((s) => ({ label: s.id, title: s.title, due: s.due, values: s.forecasts })),
  };
  const more = trend.omitted > 0 ? `; ${trend.omitted} more at risk not drawn` : '';
  return {
    type: 'chart',
    chart,
    caption: `Milestone trend: forecast at each meeting of the milestones at risk (a rising line slipped; the dashed diagonal is the meeting date)${more}.`,
    alt: trendSummary(chart).join('; '),
  };
}

export function mixBlock(rows: StatusMixRow[]): Block {
  const chart: MixChart = {
    kind: 'mix',
    statuses: [...STATUSES],
    rows: rows.map((r) => ({
      label: r.priority || 'No priority',
      counts: STATUSES.map((s) => r.counts[s]),
      unreadable: r.unreadable,
    })),
  };
  return {
    type: 'chart',
    chart,
    caption: 'Status mix: milestones per status for each strategic priority.',
    alt: chart.rows.map((r) => `${r.label}: ${mixParts(chart, r).join(', ') || 'no milestones'}`).join('; '),
  };
}

/** One line per trend series: 'M-0003 Usage billing: 4 → 18 → 22 Dec (due 4 Dec)'. */
export function trendSummary(chart: TrendChart): string[] {
  return chart.series.map((s) => {
    const trail = s.values.filter((v): v is string => v !== undefined);
    const moves = trail.filter((v, i) => i === 0 || v !== trail[i - 1]);
    return `${s.label} ${s.title}: ${moves.length ? dateTrail(moves) : 'no forecast'}${s.due ? ` (due ${shortDate(s.due)})` : ''}`;
  });
}

function mixParts(chart: MixChart, r: MixChart['rows'][number]): string[] {
  const parts = chart.statuses.flatMap((s, i) => (r.counts[i] ? [`${r.counts[i]} ${s}`] : []));
  if (r.unreadable) parts.push(`${r.unreadable} unreadable`);
  return parts;
}

/** The document's blocks with every chart given as its caption and a table, for renderers that cannot draw. */
export function withChartsAsTables(blocks: Block[]): Block[] {
  return blocks.flatMap((b) => (b.type === 'chart' ? chartAsTable(b) : [b]));
}

/** A chart as its caption (a muted paragraph) and a compact table. */
export function chartAsTable(b: Extract<Block, { type: 'chart' }>): Block[] {
  return [{ type: 'paragraph', content: [{ text: b.caption, muted: true }] }, chartTable(b.chart)];
}

function chartTable(c: Chart): Block {
  if (c.kind === 'trend') {
    const year = c.meetings[c.meetings.length - 1]?.slice(0, 4);
    const day = (d: string | undefined) => (d ? shortDate(d, d.slice(0, 4) !== year) : '—');
    return {
      type: 'table',
      columns: ['Milestone', 'Due', ...c.meetings.map((m) => `At ${day(m)}`)],
      rows: c.series.map((s) => [cell(s.label), cell(day(s.due)), ...s.values.map((v) => cell(day(v)))]),
    };
  }
  const rows: TableCell[][] = c.rows.map((r) => [
    cell(r.label),
    ...r.counts.map((n, i) => ({ content: [String(n)], status: n ? c.statuses[i] : undefined })),
    ...(c.rows.some((x) => x.unreadable) ? [cell(String(r.unreadable))] : []),
  ]);
  const unreadable = c.rows.some((x) => x.unreadable) ? ['Unreadable'] : [];
  return { type: 'table', columns: ['Priority', ...c.statuses, ...unreadable], rows };
}

// ---------- SVG ----------

const FONT = 'font-family="-apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"';
/** Distinct for colour-blind readers (Okabe & Ito), each series also labelled at its end. */
const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
const INK = '#1F2328';
const GRID = '#D0D7DE';
const MUTED = '#5F6368';

/** The chart as a self-contained inline SVG element (width follows its container). */
export function chartSvg(chart: Chart, alt: string): string {
  return chart.kind === 'trend' ? trendSvg(chart, alt) : mixSvg(chart, alt);
}

function svgOpen(width: number, height: number, alt: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" style="max-width: ${width}px; height: auto; display: block;" role="img" aria-label="${esc(alt)}" ${FONT} font-size="14"><title>${esc(alt)}</title>`;
}

function trendSvg(c: TrendChart, alt: string): string {
  const W = 480;
  const H = 300;
  const left = 64;
  const right = 78;
  const top = 14;
  const bottom = 36;
  const ms = (d: string) => Date.parse(`${d}T00:00:00Z`);
  const all = [...c.meetings, ...c.series.flatMap((s) => s.values.filter((v): v is string => !!v))];
  let lo = Math.min(...all.map(ms));
  let hi = Math.max(...all.map(ms));
  if (hi - lo < 14 * DAY) {
    lo -= 7 * DAY;
    hi += 7 * DAY;
  }
  // Meeting dates to scale, as forecast dates are: the diagonal is a straight line.
  const first = ms(c.meetings[0]!);
  const span = ms(c.meetings[c.meetings.length - 1]!) - first;
  const x = (i: number) =>
    span === 0
      ? left + (W - left - right) / 2
      : left + ((ms(c.meetings[i]!) - first) * (W - left - right)) / span;
  const y = (d: string) => top + ((hi - ms(d)) * (H - top - bottom)) / (hi - lo);
  const out = [svgOpen(W, H, alt)];
  for (const d of ticks(lo, hi)) {
    out.push(
      `<line x1="${left}" x2="${W - right}" y1="${f(y(d))}" y2="${f(y(d))}" stroke="${GRID}" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${f(y(d) + 4)}" text-anchor="end" fill="${MUTED}">${esc(shortDate(d))}</text>`,
    );
  }
  // Meeting labels, skipping any that would touch the one before.
  let lastLabel = Number.NEGATIVE_INFINITY;
  c.meetings.forEach((m, i) => {
    if (x(i) - lastLabel < 44) return;
    lastLabel = x(i);
    out.push(
      `<text x="${f(x(i))}" y="${H - bottom + 18}" text-anchor="middle" fill="${MUTED}">${esc(shortDate(m))}</text>`,
    );
  });
  out.push(
    `<text x="${f((left + W - right) / 2)}" y="${H - 4}" text-anchor="middle" fill="${MUTED}" font-size="12">meeting</text>`,
  );
  // The diagonal: forecast = meeting date. A milestone whose line reaches it has arrived.
  const diagonal = c.meetings.map((m, i) => `${f(x(i))},${f(y(m))}`).join(' ');
  out.push(
    `<polyline points="${diagonal}" fill="none" stroke="${MUTED}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
  );
  const labels: { x: number; y: number; text: string; colour: string }[] = [];
  c.series.forEach((s, k) => {
    const colour = SERIES_COLOURS[k % SERIES_COLOURS.length]!;
    const points = s.values.flatMap((v, i) => (v ? [{ i, v }] : []));
    if (!points.length) return;
    out.push(
      `<polyline points="${points.map((p) => `${f(x(p.i))},${f(y(p.v))}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2.5"/>`,
    );
    for (const p of points) {
      out.push(
        `<circle cx="${f(x(p.i))}" cy="${f(y(p.v))}" r="4" fill="${colour}"><title>${esc(`${s.label}: forecast ${shortDate(p.v)} at the meeting of ${shortDate(c.meetings[p.i]!)}`)}</title></circle>`,
      );
    }
    const last = points[points.length - 1]!;
    labels.push({ x: x(last.i) + 8, y: y(last.v) + 4, text: s.label, colour });
  });
  // End labels that would overlap are pushed apart, top to bottom.
  labels.sort((a, b) => a.y - b.y);
  labels.forEach((l, i) => {
    if (i > 0) l.y = Math.max(l.y, labels[i - 1]!.y + 14);
    out.push(`<text x="${f(l.x)}" y="${f(l.y)}" fill="${l.colour}" font-weight="bold">${esc(l.text)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

function mixSvg(c: MixChart, alt: string): string {
  const W = 480;
  const bar = 22;
  const gap = 10;
  const labelWidth = 160;
  const legend = 28;
  const H = c.rows.length * (bar + gap) + legend + 28;
  const totals = c.rows.map((r) => r.counts.reduce((a, b) => a + b, 0) + r.unreadable);
  const max = Math.max(1, ...totals);
  const scale = (W - labelWidth - 44) / max;
  const out = [svgOpen(W, H, alt)];
  c.rows.forEach((r, k) => {
    const top = k * (bar + gap) + 4;
    const label = r.label.length > 20 ? `${r.label.slice(0, 19)}…` : r.label;
    out.push(
      `<text x="${labelWidth - 8}" y="${top + bar / 2 + 4}" text-anchor="end" fill="${INK}"><title>${esc(r.label)}</title>${esc(label)}</text>`,
    );
    let at = labelWidth;
    const segments: { n: number; fill: string; ink: string; what: string }[] = [
      ...r.counts.map((n, i) => ({ n, ...statusInk(c.statuses[i]!), what: c.statuses[i]! })),
      { n: r.unreadable, fill: '#FFFFFF', ink: INK, what: 'unreadable status' },
    ];
    for (const s of segments) {
      if (!s.n) continue;
      const w = s.n * scale;
      out.push(
        `<rect x="${f(at)}" y="${top}" width="${f(w)}" height="${bar}" fill="${s.fill}" stroke="${MUTED}" stroke-width="0.75"><title>${esc(`${r.label}: ${s.n} ${s.what}`)}</title></rect>`,
      );
      if (w >= 18)
        out.push(
          `<text x="${f(at + w / 2)}" y="${top + bar / 2 + 4}" text-anchor="middle" fill="${s.ink}">${s.n}</text>`,
        );
      at += w;
    }
    out.push(`<text x="${f(at + 6)}" y="${top + bar / 2 + 4}" fill="${MUTED}">${totals[k]}</text>`);
  });
  // The legend, on as many lines as the width needs.
  const keys = [...c.statuses, ...(c.rows.some((r) => r.unreadable) ? ['Unreadable'] : [])];
  let lx = 4;
  let ly = c.rows.length * (bar + gap) + 12;
  for (const key of keys) {
    const width = 24 + key.length * 7;
    if (lx + width > W) {
      lx = 4;
      ly += 20;
    }
    const { fill } = key === 'Unreadable' ? { fill: '#FFFFFF' } : statusInk(key as Status);
    out.push(
      `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${fill}" stroke="${MUTED}" stroke-width="0.75"/>`,
      `<text x="${lx + 16}" y="${ly + 11}" fill="${INK}" font-size="12">${esc(key)}</text>`,
    );
    lx += width;
  }
  out.push('</svg>');
  return out.join('');
}

/** On track has no fill in the register; in a bar it needs one to be seen. */
function statusInk(status: Status): { fill: string; ink: string } {
  const c = STATUS_COLOURS[status];
  return { fill: c.background ?? '#DDEBF7', ink: c.color ?? INK };
}

const DAY = 86_400_000;

/** Round dates between lo and hi for the forecast axis: month starts, or weeks on a short span. */
function ticks(lo: number, hi: number): string[] {
  const out: string[] = [];
  if (hi - lo < 45 * DAY) {
    for (let t = lo + DAY; t <= hi; t += 7 * DAY) out.push(new Date(t).toISOString().slice(0, 10));
    return out;
  }
  const months = Math.ceil((hi - lo) / (30 * DAY));
  const every = months > 10 ? 3 : months > 5 ? 2 : 1;
  const d = new Date(lo);
  for (let y = d.getUTCFullYear(), m = d.getUTCMonth() + 1; ; m += every) {
    const t = Date.UTC(y, m, 1);
    if (t > hi) break;
    if (t >= lo) out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

function f(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
