import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chartAsTable, chartSvg, mixBlock, trendBlock } from '../../src/core/charts';
import type { Block, TrendChart } from '../../src/core/document';
import { readRegister } from '../../src/core/register';
import { renderText } from '../../src/core/render-markdown';
import { milestoneTrend, statusMix, TREND_MILESTONES } from '../../src/core/trend';
import type { Register } from '../../src/core/types';
import { change, milestone, register } from './builders';

// The builders' calendar: 26 Nov (held) then 3, 10, 17, 24 Dec, 10:00 London (= UTC in winter).
const NOW = '2026-12-02T12:00:00Z';

const held = (date: string, status = 'Held') => ({ Date: date, Time: '10:00', Status: status });

function read(records: Parameters<typeof register>[0]): Register {
  return readRegister(register(records)).register;
}

describe('milestoneTrend: the forecast that stood at each meeting', () => {
  const meetings = [
    held('2026-11-12'),
    held('2026-11-19', 'Cancelled'),
    held('2026-11-26'),
    { Date: '2026-12-03', Time: '10:00', Status: 'Planned' },
  ];

  it('rebuilds each meeting’s forecast from the Changes tab: before any change what it replaced, after a change its value, at this meeting today’s', () => {
    const r = read({
      Meetings: meetings,
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-04', {
          Status: 'Might miss',
          Forecast: '2026-12-22',
        }),
        milestone('M-0002', 'bob@example.com', '2026-12-10', { Status: 'On track' }),
      ],
      Changes: [
        // Made between the meetings of 12 and 26 Nov, then after 26 Nov began.
        change('M-0001', '2026-12-04', '2026-12-18', '2026-11-20T09:00:00Z'),
        change('M-0001', '2026-12-18', '2026-12-22', '2026-11-30T09:00:00Z'),
      ],
    });
    const trend = milestoneTrend(r, '2026-12-03', NOW);
    // The cancelled meeting is not a point of the picture.
    expect(trend.meetings).toEqual(['2026-11-12', '2026-11-26', '2026-12-03']);
    // M-0002 is on track with no late forecast: not at risk, not drawn.
    expect(trend.series).toEqual([
      {
        id: 'M-0001',
        title: 'Milestone M-0001',
        risk: 'Might miss',
        due: '2026-12-04',
        forecasts: ['2026-12-04', '2026-12-18', '2026-12-22'],
      },
    ]);
  });

  it('a milestone never changed keeps its forecast (or, without one, its due date) throughout', () => {
    const r = read({
      Meetings: meetings,
      Milestones: [
        milestone('M-0003', 'ann@example.com', '2026-11-30', { Status: 'Missed' }),
        milestone('M-0004', 'bob@example.com', '2026-12-01', { Forecast: '2026-12-08' }),
      ],
    });
    const trend = milestoneTrend(r, '2026-12-03', NOW);
    expect(trend.series.map((s) => [s.id, s.risk, s.forecasts])).toEqual([
      ['M-0003', 'Missed', ['2026-11-30', '2026-11-30', '2026-11-30']],
      ['M-0004', 'late', ['2026-12-08', '2026-12-08', '2026-12-08']],
    ]);
  });

  it('a past meeting keeps the last recorded forecast; this meeting shows the register now, even after an unrecorded edit', () => {
    const r = read({
      Meetings: meetings,
      Milestones: [
        milestone('M-0005', 'ann@example.com', '2026-12-01', {
          Status: 'Might miss',
          Forecast: '2026-12-20',
        }),
      ],
      // Recorded between the meetings of 12 and 26 Nov; the move to 20 Dec was typed without a record.
      Changes: [change('M-0005', '2026-12-01', '2026-12-10', '2026-11-20T09:00:00Z')],
    });
    expect(milestoneTrend(r, '2026-12-03', NOW).series[0]!.forecasts).toEqual([
      '2026-12-01',
      '2026-12-10',
      '2026-12-20',
    ]);
  });

  it(`draws at most ${TREND_MILESTONES} milestones, missed first, and counts the rest`, () => {
    const ms = Array.from({ length: TREND_MILESTONES + 3 }, (_, i) =>
      milestone(
        `M-${String(i + 1).padStart(4, '0')}`,
        'ann@example.com',
        `2026-12-${String(10 + i).padStart(2, '0')}`,
        {
          Status: i === 7 ? 'Missed' : 'Might miss',
        },
      ),
    );
    const trend = milestoneTrend(read({ Meetings: meetings, Milestones: ms }), '2026-12-03', NOW);
    expect(trend.series).toHaveLength(TREND_MILESTONES);
    expect(trend.series[0]!.id).toBe('M-0008');
    expect(trend.omitted).toBe(3);
  });

  it('a milestone whose status cannot be read is drawn only for a late forecast, never counted as On track in the mix', () => {
    const r = read({
      Meetings: meetings,
      Milestones: [
        milestone('M-0001', 'ann@example.com', '2026-12-04', { Status: 'Late' }),
        milestone('M-0002', 'ann@example.com', '2026-12-04', { Priority: 'Grow revenue' }),
        milestone('M-0003', 'ann@example.com', '2026-12-04', { Priority: 'Nobody knows', Status: 'Done' }),
      ],
    });
    expect(milestoneTrend(r, '2026-12-03', NOW).series).toEqual([]);
    const mix = statusMix(r);
    // Ranked priorities first (Grow revenue is rank 1), then milestones with no known priority.
    expect(mix.map((m) => [m.priority, m.counts['On track'], m.counts.Done, m.unreadable])).toEqual([
      ['Grow revenue', 1, 0, 0],
      ['Ship platform', 0, 0, 1],
      ['', 0, 1, 0],
    ]);
  });
});

describe('the pictures as blocks', () => {
  const chart: TrendChart = {
    kind: 'trend',
    meetings: ['2026-11-12', '2026-11-26', '2026-12-03'],
    series: [
      {
        label: 'M-0001',
        title: 'Billing <live>',
        due: '2026-12-04',
        values: ['2026-12-04', '2026-12-18', '2026-12-22'],
      },
      {
        label: 'M-0002',
        title: 'Audit',
        due: '2026-12-22',
        values: ['2026-12-22', '2026-12-22', '2026-12-22'],
      },
    ],
  };

  it('the trend in words and as a table: each line’s moves once, dates in the meeting columns', () => {
    const block = trendBlock({
      meetings: chart.meetings,
      series: chart.series.map((s) => ({
        id: s.label,
        title: s.title,
        risk: 'Might miss',
        due: s.due,
        forecasts: s.values,
      })),
      omitted: 2,
    });
    expect(block.type === 'chart' && block.alt).toBe(
      'M-0001 Billing <live>: 4 → 18 → 22 Dec (due 4 Dec); M-0002 Audit: 22 Dec (due 22 Dec)',
    );
    expect(block.type === 'chart' && block.caption).toMatch(/2 more at risk not drawn/);
    // In an email's text part, one line per milestone.
    expect(renderText({ title: 't', blocks: [block] })).toContain(
      '- M-0001 Billing <live>: 4 → 18 → 22 Dec (due 4 Dec)\n- M-0002 Audit: 22 Dec (due 22 Dec)',
    );
    const [caption, table] = chartAsTable(block as Extract<Block, { type: 'chart' }>);
    expect(caption!.type).toBe('paragraph');
    expect(table).toMatchObject({
      type: 'table',
      columns: ['Milestone', 'Due', 'At 12 Nov', 'At 26 Nov', 'At 3 Dec'],
    });
  });

  it('the SVG: no script, people’s text escaped, the diagonal, one line and a label per milestone, labels never on top of each other', () => {
    const svg = chartSvg(chart, 'M-0001 <script>alert(1)</script>');
    expect(svg).not.toMatch(/<script|\son\w+=/i);
    expect(svg).toContain('&lt;script&gt;');
    expect(svg.match(/<polyline/g)).toHaveLength(3); // the diagonal and two milestones
    expect(svg).toContain('stroke-dasharray');
    const labels = [
      ...svg.matchAll(
        /<text x="[\d.]+" y="([\d.]+)" fill="#[0-9A-F]{6}" font-weight="bold">(M-\d+)<\/text>/g,
      ),
    ];
    expect(labels.map((m) => m[2])).toEqual(['M-0001', 'M-0002']);
    // Both end on 22 Dec: the second label is pushed below the first.
    expect(Number(labels[1]![1]) - Number(labels[0]![1])).toBeGreaterThanOrEqual(14);
  });

  it('property: whatever the forecasts, every point and label lies inside the picture', () => {
    const date = fc
      .integer({ min: 0, max: 400 })
      .map((d) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        fc.uniqueArray(date, { minLength: 1, maxLength: 8 }).map((d) => d.sort()),
        fc.array(fc.array(fc.option(date, { nil: undefined }), { minLength: 8, maxLength: 8 }), {
          minLength: 1,
          maxLength: 6,
        }),
        (meetings, rows) => {
          const svg = chartSvg(
            {
              kind: 'trend',
              meetings,
              series: rows.map((v, i) => ({
                label: `M-000${i}`,
                title: 't',
                values: v.slice(0, meetings.length),
              })),
            },
            'alt',
          );
          const [, w, h] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!.map(Number);
          for (const m of svg.matchAll(/<circle cx="(-?[\d.]+)" cy="(-?[\d.]+)"/g)) {
            expect(Number(m[1])).toBeGreaterThanOrEqual(0);
            expect(Number(m[1])).toBeLessThanOrEqual(w!);
            expect(Number(m[2])).toBeGreaterThanOrEqual(0);
            expect(Number(m[2])).toBeLessThanOrEqual(h!);
          }
          expect(svg).not.toMatch(/NaN|Infinity/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the status mix: one bar per priority, a segment per status present, the unreadable apart', () => {
    const block = mixBlock([
      {
        priority: 'Grow <revenue>',
        counts: { 'On track': 2, 'Might miss': 1, Missed: 0, Done: 0, Dropped: 0 },
        unreadable: 1,
      },
    ]);
    expect(block.type === 'chart' && block.alt).toBe(
      'Grow <revenue>: 2 On track, 1 Might miss, 1 unreadable',
    );
    const svg = chartSvg((block as Extract<Block, { type: 'chart' }>).chart, 'alt');
    expect(svg.match(/<rect [^>]*height="22"/g)).toHaveLength(3);
    expect(svg).toContain('Grow &lt;revenue&gt;');
    expect(svg).toContain('Unreadable');
  });
});
