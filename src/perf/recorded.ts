// `headroom perf --live`: what headroom saved on the requests the proxy recorded, by day, agent, model and
// transform, how long requests waited in the proxy, and how often the model read an original back. The
// figures are the stats read model's (`stats/report.ts`), grouped for this page; the text and JSON forms.

import { totalsJson } from '../stats/export.js';
import { formatCount, formatMoney, formatShare, UNKNOWN } from '../stats/format.js';
import { describeOutputSaving, type OutputSavingReport, OutputSavingTally } from '../stats/output-saving.js';
import { PRICE_TABLE } from '../stats/prices.js';
import {
  GroupTally,
  type GroupTotals,
  RunningTotals,
  type Totals,
  type TransformCount,
  TransformTally,
} from '../stats/report.js';
import { type Column, layoutTable } from '../stats/table.js';
import { groupColumns, PRICES_NOTE, transformColumns } from '../stats/views.js';
import type { RequestRow, StatsStore } from '../store/types.js';

export interface RecordedFigures {
  /** The window's start (epoch ms), undefined for all time; it ends at `until`. */
  since: number | undefined;
  until: number;
  totals: Totals;
  byDay: GroupTotals[];
  byAgent: GroupTotals[];
  byModel: GroupTotals[];
  transforms: TransformCount[];
  /** Output tokens saved by steering, measured against the holdout. */
  outputSaving: OutputSavingReport;
}

/** The figures of the requests `store` recorded in the window, read a page at a time. */
export async function recordedFiguresOf(
  store: StatsStore,
  window: { since: number | undefined; until: number },
): Promise<RecordedFigures> {
  const tally = new RecordedTally();
  await store.scanRows(window.since === undefined ? {} : { since: window.since }, (rows) => {
    for (const row of rows) tally.add(row);
  });
  return tally.figures(window);
}

/** The figures taken a row at a time: sums per day, agent, model and transform, not rows. */
class RecordedTally {
  private readonly sum = new RunningTotals();
  private readonly byDay = new GroupTally('day');
  private readonly byAgent = new GroupTally('agent');
  private readonly byModel = new GroupTally('model');
  private readonly transforms = new TransformTally();
  private readonly output = new OutputSavingTally();

  add(row: RequestRow): void {
    this.sum.add(row);
    this.byDay.add(row);
    this.byAgent.add(row);
    this.byModel.add(row);
    this.transforms.add(row);
    this.output.add(row);
  }

  figures(window: { since: number | undefined; until: number }): RecordedFigures {
    return {
      ...window,
      totals: this.sum.totals(),
      byDay: this.byDay.groups(),
      byAgent: this.byAgent.groups(),
      byModel: this.byModel.groups(),
      transforms: this.transforms.counts(),
      outputSaving: this.output.report(),
    };
  }
}

const ms = (value: number | undefined) => (value === undefined ? UNKNOWN : `${value.toFixed(1)} ms`);
const share = (part: number, whole: number) => formatShare(whole > 0 ? part / whole : 0);

/** The proxy's wait as `p50 / p99`. */
function overhead(t: Totals): string {
  return t.overheadP50Ms === undefined ? UNKNOWN : `${ms(t.overheadP50Ms)} / ${ms(t.overheadP99Ms)}`;
}

function liveGroupColumns(title: string): Column<GroupTotals>[] {
  return [
    ...groupColumns(title),
    { title: 'OVERHEAD P50/P99', value: (g) => overhead(g.totals), align: 'right', min: 16, priority: 3 },
    {
      title: 'RETRIEVED',
      value: (g) => share(g.totals.retrievalRequests, g.totals.requests),
      align: 'right',
      min: 9,
      priority: 2,
    },
  ];
}

function liveTransformColumns(): Column<TransformCount>[] {
  return [
    ...transformColumns(),
    { title: 'TOKENS SAVED', value: (t) => formatCount(t.tokensSaved), align: 'right', min: 12, priority: 0 },
  ];
}

/** The page as text: the window's totals, then a table per day, agent, model and transform. */
export function recordedText(
  figures: RecordedFigures,
  windowLabel: string,
  width = Number.POSITIVE_INFINITY,
): string {
  const t = figures.totals;
  const lines = [`headroom perf --live: ${windowLabel}, the requests the proxy recorded`];
  if (t.requests === 0) {
    lines.push('no requests recorded yet (run `headroom proxy` or `headroom wrap <agent>`)');
    return `${lines.join('\n')}\n`;
  }
  const money =
    t.moneySaved === undefined ? '' : `, ${formatMoney(t.moneySaved)} saved of ${formatMoney(t.cost)} billed`;
  const fields: [string, string][] = [
    ['requests', t.errors ? `${t.requests} (${t.errors} failed)` : String(t.requests)],
    [
      'input',
      `${formatCount(t.tokensBefore)} → ${formatCount(t.tokensAfter)} tokens (${formatShare(t.savedShare)} saved)${money}`,
    ],
    [
      'overhead',
      `${overhead(t)} (p50 / p99 of the time a request waited in the proxy before going upstream)`,
    ],
    ['steering', describeOutputSaving(figures.outputSaving)],
    [
      'retrieval',
      `${share(t.retrievalRequests, t.requests)} of requests (${t.retrievalRequests}): the model called headroom_retrieve ${t.retrievals} times for ${formatCount(t.retrievedBytes)} bytes`,
    ],
  ];
  lines.push(...fields.map(([label, value]) => `${label.padEnd(9)}  ${value}`));
  const section = <T>(title: string, columns: Column<T>[], rows: readonly T[]) => {
    if (rows.length === 0) return;
    const table = layoutTable(columns, rows, width);
    lines.push('', title, table.header, ...table.lines);
  };
  section('BY DAY', liveGroupColumns('DAY'), figures.byDay);
  section('BY AGENT', liveGroupColumns('AGENT'), figures.byAgent);
  section('BY MODEL', liveGroupColumns('MODEL'), figures.byModel);
  section('BY TRANSFORM', liveTransformColumns(), figures.transforms);
  if (figures.transforms.length)
    lines.push("(a request's tokens saved are split between its transforms by blocks)");
  lines.push('', PRICES_NOTE);
  return `${lines.join('\n')}\n`;
}

/** The page as data: times in ISO 8601, unknown figures null, totals as `headroom stats --json` gives them. */
export function recordedJson(figures: RecordedFigures) {
  const groups = (list: readonly GroupTotals[]) =>
    list.map((g) => ({ key: g.key, totals: totalsJson(g.totals) }));
  const t = figures.totals;
  return {
    window: {
      since: figures.since === undefined ? null : new Date(figures.since).toISOString(),
      until: new Date(figures.until).toISOString(),
    },
    totals: totalsJson(t),
    retrievalRate: t.requests ? t.retrievalRequests / t.requests : 0,
    byDay: groups(figures.byDay),
    byAgent: groups(figures.byAgent),
    byModel: groups(figures.byModel),
    byTransform: figures.transforms,
    outputSaving: figures.outputSaving,
    prices: { asOf: PRICE_TABLE.asOf, currency: 'USD' },
  };
}
