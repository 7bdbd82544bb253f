// The figures `headroom stats` shows from recorded requests: totals, sessions, turns, transform breakdown
// and savings over time. Each has a tally taken a row at a time, for rows read a page at a time from the
// store, and a function over an array; the TUI, the table, --json and the MCP tool share them.

import { filterRows, type StatsFilter } from '../store/filter.js';
import type { RequestRow, SessionInfo, StatsStore } from '../store/types.js';
import { moneySaved, requestCost } from './money.js';
import { type OutputSavingReport, OutputSavingTally } from './output-saving.js';

export interface Totals {
  requests: number;
  errors: number;
  /** Requests the compressor changed. */
  compressed: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  /** tokensSaved / tokensBefore, 0..1; 0 when nothing was counted. */
  savedShare: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Share of the billed prompt served from the provider's cache, 0..1. */
  cacheReadShare: number;
  /** Money the compression saved, in USD; undefined when no request has a known model price. */
  moneySaved: number | undefined;
  /** What the requests cost as billed, in USD; undefined when no request has a known model price. */
  cost: number | undefined;
  /** Requests whose model has no price, left out of the money figures. */
  unpriced: number;
  /** Of those, the ones that saved tokens: `moneySaved` misses their savings. */
  unpricedSavings: number;
  retrievals: number;
  retrievedBytes: number;
  /** Requests in which the model called headroom_retrieve at least once. */
  retrievalRequests: number;
  /** Memory tool calls the proxy answered (memory_save, memory_search…). */
  memoryCalls: number;
  /** Requests that were agent side calls (counted in the figures above too). */
  sideCalls: number;
  /** History rewrite points that set old outputs aside, and the tokens the stubs took out of every request. */
  historyRewrites: number;
  historySavedTokens: number;
  latencyP50Ms: number | undefined;
  latencyP95Ms: number | undefined;
  /** How long requests waited in the proxy before going upstream; undefined when no row says. */
  overheadP50Ms: number | undefined;
  overheadP99Ms: number | undefined;
}

export interface SessionSummary {
  /** The session id, or null for requests that came without one. */
  id: string | null;
  agent: string | null;
  project: string | null;
  /** When the session registered, else its first request. */
  startedTs: number;
  endedTs: number | null;
  /** Its latest request; null for a registered session with none yet. */
  lastTs: number | null;
  turns: number;
  totals: Totals;
}

export interface Turn {
  id: number;
  ts: number;
  model: string | null;
  provider: string;
  path: string;
  status: number;
  error: string | null;
  compressError: string | null;
  tokensBefore: number;
  tokensAfter: number;
  savedShare: number;
  transforms: Record<string, number>;
  latencyMs: number | null;
  ttfbMs: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  moneySaved: number | undefined;
  retrievals: number;
  /** Which agent side call the request was, or null for the agent's own turns. */
  sideCall: string | null;
}

export interface TimeBucket {
  start: number;
  end: number;
  requests: number;
  tokensBefore: number;
  tokensAfter: number;
  savedShare: number;
}

export interface TransformCount {
  name: string;
  blocks: number;
  requests: number;
  /** Tokens saved by the requests it shortened, each request's split between its transforms by blocks. */
  tokensSaved: number;
}

const n = (v: number | null | undefined) => v ?? 0;
const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Sum of the defined values, or undefined when every value is undefined. */
function rowSaved(row: RequestRow): number | undefined {
  return moneySaved({ ...usageOf(row), tokensBefore: row.tokensBefore, tokensAfter: row.tokensAfter });
}

function usageOf(row: RequestRow) {
  return {
    model: row.model,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cacheReadTokens: row.cacheReadTokens,
    cacheWriteTokens: row.cacheWriteTokens,
  };
}

function isError(row: RequestRow): boolean {
  return row.error !== null || row.status >= 400;
}

export function totals(rows: readonly RequestRow[]): Totals {
  const sum = new RunningTotals();
  for (const row of rows) sum.add(row);
  return sum.totals();
}

/** Totals taken a row at a time, for rows read a page at a time (`StatsStore.scanRows`). */
export class RunningTotals {
  private requests = 0;
  private tokensBefore = 0;
  private tokensAfter = 0;
  private inputTokens = 0;
  private outputTokens = 0;
  private cacheReadTokens = 0;
  private cacheWriteTokens = 0;
  private retrievals = 0;
  private retrievedBytes = 0;
  private retrievalRequests = 0;
  private memoryCalls = 0;
  private sideCalls = 0;
  private historyRewrites = 0;
  private historySavedTokens = 0;
  private errors = 0;
  private compressed = 0;
  private unpriced = 0;
  private unpricedSavings = 0;
  /** Summed in row order: undefined while no row had a figure. */
  private moneySaved: number | undefined;
  private cost: number | undefined;
  private readonly latencies: number[] = [];
  private readonly overheads: number[] = [];

  add(row: RequestRow): void {
    this.requests++;
    const before = n(row.tokensBefore);
    const after = row.tokensAfter ?? before;
    this.tokensBefore += before;
    this.tokensAfter += after;
    if (after < before) this.compressed++;
    this.inputTokens += n(row.inputTokens);
    this.outputTokens += n(row.outputTokens);
    this.cacheReadTokens += n(row.cacheReadTokens);
    this.cacheWriteTokens += n(row.cacheWriteTokens);
    this.retrievals += row.retrievals;
    this.retrievedBytes += row.retrievedBytes;
    if (row.retrievals > 0) this.retrievalRequests++;
    this.memoryCalls += row.memoryCalls;
    if (row.sideCall !== null) this.sideCalls++;
    if (row.historyRewrite) this.historyRewrites++;
    this.historySavedTokens += row.historySavedTokens;
    if (isError(row)) this.errors++;
    if (row.latencyMs !== null) this.latencies.push(row.latencyMs);
    if (row.overheadMs !== null) this.overheads.push(row.overheadMs);
    const money = rowSaved(row);
    if (money === undefined) {
      this.unpriced++;
      if (after < before) this.unpricedSavings++;
    }
    if (money !== undefined) this.moneySaved = (this.moneySaved ?? 0) + money;
    const cost = requestCost(usageOf(row));
    if (cost !== undefined) this.cost = (this.cost ?? 0) + cost;
  }

  totals(): Totals {
    const latencies = [...this.latencies].sort((a, b) => a - b);
    const overheads = [...this.overheads].sort((a, b) => a - b);
    const tokensSaved = Math.max(0, this.tokensBefore - this.tokensAfter);
    return {
      requests: this.requests,
      errors: this.errors,
      compressed: this.compressed,
      tokensBefore: this.tokensBefore,
      tokensAfter: this.tokensAfter,
      tokensSaved,
      savedShare: share(tokensSaved, this.tokensBefore),
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cacheReadTokens: this.cacheReadTokens,
      cacheWriteTokens: this.cacheWriteTokens,
      cacheReadShare: share(
        this.cacheReadTokens,
        this.inputTokens + this.cacheReadTokens + this.cacheWriteTokens,
      ),
      moneySaved: this.moneySaved,
      cost: this.cost,
      unpriced: this.unpriced,
      unpricedSavings: this.unpricedSavings,
      retrievals: this.retrievals,
      retrievedBytes: this.retrievedBytes,
      retrievalRequests: this.retrievalRequests,
      memoryCalls: this.memoryCalls,
      sideCalls: this.sideCalls,
      historyRewrites: this.historyRewrites,
      historySavedTokens: this.historySavedTokens,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP95Ms: percentile(latencies, 0.95),
      overheadP50Ms: percentile(overheads, 0.5),
      overheadP99Ms: percentile(overheads, 0.99),
    };
  }
}

/**
 * Sessions, most recently active first. Requests without a session id form one session with id null.
 * Registered sessions lend their agent, project, start and end, and appear even before their first request.
 */
export function sessions(
  rows: readonly RequestRow[],
  registered: readonly SessionInfo[] = [],
): SessionSummary[] {
  const groups = new SessionGroups();
  for (const row of rows) groups.add(row);
  return groups.summaries(registered);
}

interface SessionGroup {
  agent: string | null;
  project: string | null;
  startedTs: number;
  lastTs: number;
  turns: number;
  totals: RunningTotals;
}

/** The sessions view taken a row at a time, for rows read a page at a time (`StatsStore.scanRows`). */
export class SessionGroups {
  private readonly groups = new Map<string | null, SessionGroup>();

  add(row: RequestRow): void {
    let group = this.groups.get(row.sessionId);
    if (!group) {
      group = {
        agent: null,
        project: null,
        startedTs: Number.POSITIVE_INFINITY,
        lastTs: 0,
        turns: 0,
        totals: new RunningTotals(),
      };
      this.groups.set(row.sessionId, group);
    }
    group.agent ??= row.agent;
    group.project ??= row.project;
    group.startedTs = Math.min(group.startedTs, row.ts);
    group.lastTs = Math.max(group.lastTs, row.ts);
    group.turns++;
    group.totals.add(row);
  }

  /** Whether a row of session `id` was added. */
  has(id: string | null): boolean {
    return this.groups.has(id);
  }

  summaries(registered: readonly SessionInfo[] = []): SessionSummary[] {
    const registrations = new Map(registered.map((session) => [session.id, session]));
    const out: SessionSummary[] = [];
    for (const [id, group] of this.groups) {
      const registration = id === null ? undefined : registrations.get(id);
      out.push({
        id,
        agent: group.agent ?? registration?.agent ?? null,
        project: group.project ?? registration?.project ?? null,
        startedTs: registration?.startedTs ?? group.startedTs,
        endedTs: registration?.endedTs ?? null,
        lastTs: group.lastTs,
        turns: group.turns,
        totals: group.totals.totals(),
      });
    }
    for (const session of registered) {
      if (this.groups.has(session.id)) continue;
      out.push({
        id: session.id,
        agent: session.agent ?? null,
        project: session.project ?? null,
        startedTs: session.startedTs ?? 0,
        endedTs: session.endedTs ?? null,
        lastTs: null,
        turns: 0,
        totals: totals([]),
      });
    }
    const activity = (s: SessionSummary) => s.lastTs ?? s.startedTs;
    return out.sort((a, b) => activity(b) - activity(a) || String(a.id).localeCompare(String(b.id)));
  }
}

/** The requests of one session (null: those without a session), newest first. */
export function turns(rows: readonly RequestRow[], sessionId: string | null): Turn[] {
  return rows
    .filter((row) => row.sessionId === sessionId)
    .sort((a, b) => b.ts - a.ts || b.id - a.id)
    .map((row) => {
      const before = n(row.tokensBefore);
      const after = row.tokensAfter ?? before;
      return {
        id: row.id,
        ts: row.ts,
        model: row.model,
        provider: row.provider,
        path: row.path,
        status: row.status,
        error: row.error,
        compressError: row.compressError,
        tokensBefore: before,
        tokensAfter: after,
        savedShare: share(Math.max(0, before - after), before),
        transforms: row.transforms ?? {},
        latencyMs: row.latencyMs,
        ttfbMs: row.ttfbMs,
        outputTokens: row.outputTokens,
        cacheReadTokens: row.cacheReadTokens,
        moneySaved: rowSaved(row),
        retrievals: row.retrievals,
        sideCall: row.sideCall,
      };
    });
}

/**
 * How often each transform fired and what it saved, most used first. A row records only what the request
 * saved in all, so a request that several transforms shortened credits each with its share of the blocks.
 */
export function transformBreakdown(rows: readonly RequestRow[]): TransformCount[] {
  const tally = new TransformTally();
  for (const row of rows) tally.add(row);
  return tally.counts();
}

/** The transform breakdown taken a row at a time. */
export class TransformTally {
  private readonly counts_ = new Map<string, TransformCount>();

  add(row: RequestRow): void {
    const used = Object.entries(row.transforms ?? {});
    const blocksInRow = used.reduce((sum, [, blocks]) => sum + blocks, 0);
    const saved = Math.max(0, n(row.tokensBefore) - (row.tokensAfter ?? n(row.tokensBefore)));
    for (const [name, blocks] of used) {
      let entry = this.counts_.get(name);
      if (!entry) {
        entry = { name, blocks: 0, requests: 0, tokensSaved: 0 };
        this.counts_.set(name, entry);
      }
      entry.blocks += blocks;
      entry.requests++;
      entry.tokensSaved += (saved * blocks) / blocksInRow;
    }
  }

  counts(): TransformCount[] {
    return [...this.counts_.values()]
      .map((entry) => ({ ...entry, tokensSaved: Math.round(entry.tokensSaved) }))
      .sort((a, b) => b.blocks - a.blocks || a.name.localeCompare(b.name));
  }
}

const BUCKET_SIZES_MS = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  3_600_000,
  6 * 3_600_000,
  86_400_000,
  7 * 86_400_000,
];

const DAY_MS = 86_400_000;

/**
 * The smallest round bucket size that spreads `spanMs` over at most `maxBuckets` buckets; past the largest
 * round size, whole days.
 */
export function bucketSizeFor(spanMs: number, maxBuckets: number): number {
  for (const size of BUCKET_SIZES_MS) if (spanMs / size <= maxBuckets) return size;
  return Math.ceil(spanMs / maxBuckets / DAY_MS) * DAY_MS;
}

/**
 * Savings in consecutive time buckets from the first request to `until`, empty buckets included, so a
 * sparkline shows quiet hours as gaps. Bucket edges are aligned to the bucket size.
 */
export function timeline(rows: readonly RequestRow[], maxBuckets: number, until?: number): TimeBucket[] {
  const tally = new TimelineTally(maxBuckets);
  for (const row of rows) tally.add(row);
  return tally.buckets(until);
}

interface Cell {
  requests: number;
  tokensBefore: number;
  tokensAfter: number;
}

/**
 * Cell sizes the timeline tally coarsens through. Each divides every bucket size `bucketSizeFor` can choose
 * once the span has reached `maxBuckets` cells of it, so cells never straddle a bucket edge.
 */
const CELL_SIZES_MS = [60_000, 3_600_000, DAY_MS];

/**
 * The timeline taken a row at a time: rows are summed into cells of a minute, coarsened to hours and then
 * days as the span grows, so it holds at most ~60 cells a bucket whatever the number of rows.
 */
export class TimelineTally {
  private level = 0;
  private cells = new Map<number, Cell>();
  private first = Number.POSITIVE_INFINITY;
  private last = 0;

  constructor(private readonly maxBuckets: number) {}

  add(row: RequestRow): void {
    this.first = Math.min(this.first, row.ts);
    this.last = Math.max(this.last, row.ts);
    while (
      this.level + 1 < CELL_SIZES_MS.length &&
      this.last - this.first >= this.maxBuckets * (CELL_SIZES_MS[this.level + 1] as number)
    )
      this.coarsen();
    const before = n(row.tokensBefore);
    const cell = this.cellAt(Math.floor(row.ts / this.cellSize()));
    cell.requests++;
    cell.tokensBefore += before;
    cell.tokensAfter += row.tokensAfter ?? before;
  }

  buckets(until?: number): TimeBucket[] {
    if (this.cells.size === 0 || this.maxBuckets < 1) return [];
    const end = Math.max(this.last, until ?? this.last);
    const size = bucketSizeFor(end - this.first + 1, this.maxBuckets);
    const start = Math.floor(this.first / size) * size;
    const count = Math.floor((end - start) / size) + 1;
    const buckets: TimeBucket[] = Array.from({ length: count }, (_, i) => ({
      start: start + i * size,
      end: start + (i + 1) * size,
      requests: 0,
      tokensBefore: 0,
      tokensAfter: 0,
      savedShare: 0,
    }));
    for (const [key, cell] of this.cells) {
      const bucket = buckets[Math.floor((key * this.cellSize() - start) / size)];
      if (!bucket) continue;
      bucket.requests += cell.requests;
      bucket.tokensBefore += cell.tokensBefore;
      bucket.tokensAfter += cell.tokensAfter;
    }
    for (const b of buckets)
      b.savedShare = share(Math.max(0, b.tokensBefore - b.tokensAfter), b.tokensBefore);
    return buckets.slice(-this.maxBuckets);
  }

  private cellSize(): number {
    return CELL_SIZES_MS[this.level] as number;
  }

  private cellAt(key: number): Cell {
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { requests: 0, tokensBefore: 0, tokensAfter: 0 };
      this.cells.set(key, cell);
    }
    return cell;
  }

  private coarsen(): void {
    const finer = this.cellSize();
    const cells = this.cells;
    this.level++;
    this.cells = new Map();
    for (const [key, cell] of cells) {
      const into = this.cellAt(Math.floor((key * finer) / this.cellSize()));
      into.requests += cell.requests;
      into.tokensBefore += cell.tokensBefore;
      into.tokensAfter += cell.tokensAfter;
    }
  }
}

export interface StatsReport {
  generatedAt: number;
  filter: StatsFilter;
  totals: Totals;
  sessions: SessionSummary[];
  transforms: TransformCount[];
  timeline: TimeBucket[];
  /** Totals per day, model or agent, when asked for. */
  by?: GroupBy;
  groups?: GroupTotals[];
  /** Output tokens saved by steering, measured against the holdout. */
  outputSaving: OutputSavingReport;
}

export type GroupBy = 'day' | 'model' | 'agent';

/** The totals of the requests that share a day (local date), a model or an agent. */
export interface GroupTotals {
  key: string;
  totals: Totals;
}

const localDay = (ts: number) => {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** Totals per group, days in order, models and agents by requests (most first). */
export function groupTotals(rows: readonly RequestRow[], by: GroupBy): GroupTotals[] {
  const tally = new GroupTally(by);
  for (const row of rows) tally.add(row);
  return tally.groups();
}

/** Totals per day, model or agent, taken a row at a time. */
export class GroupTally {
  private readonly sums = new Map<string, RunningTotals>();

  constructor(readonly by: GroupBy) {}

  add(row: RequestRow): void {
    const key =
      this.by === 'day' ? localDay(row.ts) : ((this.by === 'model' ? row.model : row.agent) ?? 'unknown');
    let sum = this.sums.get(key);
    if (!sum) {
      sum = new RunningTotals();
      this.sums.set(key, sum);
    }
    sum.add(row);
  }

  groups(): GroupTotals[] {
    const out = [...this.sums].map(([key, sum]) => ({ key, totals: sum.totals() }));
    return this.by === 'day'
      ? out.sort((a, b) => a.key.localeCompare(b.key))
      : out.sort((a, b) => b.totals.requests - a.totals.requests || a.key.localeCompare(b.key));
  }
}

/** Buckets in the report's savings trend. */
const TREND_BUCKETS = 24;

/**
 * Everything `headroom stats` prints, taken a row at a time: fed the rows `StatsStore.scanRows` reads a page
 * at a time, it holds sums, not rows (latencies and output-arm figures excepted, one number a request).
 */
export class ReportBuilder {
  private readonly sum = new RunningTotals();
  private readonly sessions = new SessionGroups();
  private readonly transforms = new TransformTally();
  private readonly trend = new TimelineTally(TREND_BUCKETS);
  private readonly output = new OutputSavingTally();
  private readonly grouped?: GroupTally;

  constructor(by?: GroupBy) {
    if (by) this.grouped = new GroupTally(by);
  }

  add(row: RequestRow): void {
    this.sum.add(row);
    this.sessions.add(row);
    this.transforms.add(row);
    this.trend.add(row);
    this.output.add(row);
    this.grouped?.add(row);
  }

  report(filter: StatsFilter, now: number): StatsReport {
    return {
      generatedAt: now,
      filter,
      totals: this.sum.totals(),
      sessions: this.sessions.summaries(),
      transforms: this.transforms.counts(),
      timeline: this.trend.buckets(now),
      outputSaving: this.output.report(),
      ...(this.grouped ? { by: this.grouped.by, groups: this.grouped.groups() } : {}),
    };
  }
}

/** Everything `headroom stats` prints, for the requests inside the filter. */
export function buildReport(
  rows: readonly RequestRow[],
  filter: StatsFilter,
  now: number,
  by?: GroupBy,
): StatsReport {
  const builder = new ReportBuilder(by);
  for (const row of filterRows(rows, filter)) builder.add(row);
  return builder.report(filter, now);
}

/** The report of the rows of `store` inside `filter`, read a page at a time; `also` sees each row too. */
export async function reportOf(
  store: StatsStore,
  filter: StatsFilter,
  now: number,
  by?: GroupBy,
  also?: (row: RequestRow) => void,
): Promise<StatsReport> {
  const builder = new ReportBuilder(by);
  await store.scanRows(filter, (rows) => {
    for (const row of rows) {
      builder.add(row);
      also?.(row);
    }
  });
  return builder.report(filter, now);
}
