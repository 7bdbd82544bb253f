// Stats as data for scripts: the `--json` document (schema in the README) and `--csv` per-request rows.
// Times are ISO 8601 in UTC; shares are 0..1; money is USD or null when the model has no known price.

import type { RequestRow } from '../store/types.js';
import { moneySaved, requestCost } from './money.js';
import { PRICE_TABLE } from './prices.js';
import type { SessionSummary, StatsReport, Totals, Turn } from './report.js';

const iso = (ts: number) => new Date(ts).toISOString();
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** Totals as JSON: figures that are unknown are null rather than left out. */
export function totalsJson(t: Totals) {
  return {
    ...t,
    moneySaved: orNull(t.moneySaved),
    cost: orNull(t.cost),
    latencyP50Ms: orNull(t.latencyP50Ms),
    latencyP95Ms: orNull(t.latencyP95Ms),
    overheadP50Ms: orNull(t.overheadP50Ms),
    overheadP99Ms: orNull(t.overheadP99Ms),
  };
}

function sessionJson(s: SessionSummary) {
  return {
    id: s.id,
    agent: s.agent,
    project: s.project,
    startedAt: iso(s.startedTs),
    lastAt: s.lastTs === null ? null : iso(s.lastTs),
    turns: s.turns,
    totals: totalsJson(s.totals),
  };
}

function turnJson(t: Turn) {
  const { ts, moneySaved: saved, ...rest } = t;
  return { at: iso(ts), ...rest, moneySaved: orNull(saved) };
}

/** The `--json` document. `turns` is present when the report is narrowed to one session. */
export function reportJson(report: StatsReport, sessionTurns?: Turn[]) {
  const { since, ...filters } = report.filter;
  return {
    generatedAt: iso(report.generatedAt),
    window: { since: since === undefined ? null : iso(since), until: iso(report.generatedAt) },
    filters,
    totals: totalsJson(report.totals),
    sessions: report.sessions.map(sessionJson),
    transforms: report.transforms,
    timeline: report.timeline.map((b) => ({ ...b, start: iso(b.start), end: iso(b.end) })),
    outputSaving: report.outputSaving,
    ...(sessionTurns ? { turns: sessionTurns.map(turnJson) } : {}),
    ...(report.groups
      ? { by: report.by, groups: report.groups.map((g) => ({ key: g.key, totals: totalsJson(g.totals) })) }
      : {}),
    prices: { asOf: PRICE_TABLE.asOf, currency: 'USD' },
  };
}

const CSV_COLUMNS: [string, (r: RequestRow) => unknown][] = [
  ['id', (r) => r.id],
  ['time', (r) => iso(r.ts)],
  ['agent', (r) => r.agent],
  ['session_id', (r) => r.sessionId],
  ['project', (r) => r.project],
  ['provider', (r) => r.provider],
  ['model', (r) => r.model],
  ['method', (r) => r.method],
  ['path', (r) => r.path],
  ['status', (r) => r.status],
  ['stream', (r) => r.stream],
  ['latency_ms', (r) => r.latencyMs],
  ['ttfb_ms', (r) => r.ttfbMs],
  ['request_bytes', (r) => r.requestBytes],
  ['tokens_before', (r) => r.tokensBefore],
  ['tokens_after', (r) => r.tokensAfter],
  [
    'transforms',
    (r) => (r.transforms && Object.keys(r.transforms).length ? JSON.stringify(r.transforms) : ''),
  ],
  ['compress_ms', (r) => r.compressMs],
  ['compress_error', (r) => r.compressError],
  ['overhead_ms', (r) => r.overheadMs],
  ['input_tokens', (r) => r.inputTokens],
  ['output_tokens', (r) => r.outputTokens],
  ['cache_read_tokens', (r) => r.cacheReadTokens],
  ['cache_write_tokens', (r) => r.cacheWriteTokens],
  ['retrievals', (r) => r.retrievals],
  ['retrieved_bytes', (r) => r.retrievedBytes],
  ['memory_calls', (r) => r.memoryCalls],
  ['side_call', (r) => r.sideCall],
  ['history_rewrite', (r) => (r.historyRewrite ? 1 : 0)],
  ['history_stubs', (r) => r.historyStubs],
  ['history_saved_tokens', (r) => r.historySavedTokens],
  ['cost_usd', (r) => requestCost(r)],
  ['saved_usd', (r) => moneySaved(r)],
  ['error', (r) => r.error],
];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line per request, oldest first, under a header line (RFC 4180 quoting). */
export function toCsv(rows: readonly RequestRow[]): string {
  const lines = new CsvLines();
  for (const row of rows) lines.add(row);
  return lines.text();
}

/** The CSV taken a row at a time: each row's line is made as it comes, and only the lines are kept. */
export class CsvLines {
  private readonly lines: { ts: number; id: number; line: string }[] = [];

  add(row: RequestRow): void {
    this.lines.push({
      ts: row.ts,
      id: row.id,
      line: CSV_COLUMNS.map(([, get]) => csvCell(get(row))).join(','),
    });
  }

  text(): string {
    const sorted = this.lines.sort((a, b) => a.ts - b.ts || a.id - b.id).map(({ line }) => line);
    return `${[CSV_COLUMNS.map(([name]) => name).join(','), ...sorted].join('\r\n')}\r\n`;
  }
}
