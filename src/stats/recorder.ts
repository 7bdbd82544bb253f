// Builds the stats row of each proxied request from what the proxy reports as the request goes: its size,
// what the engine did to it, how the exchange ended and what the upstream said it cost. The row is put
// together here and nowhere else, then recorded.
//
// Tokens before and after compression: the request as sent is the upstream's own count when the body went
// out as written (or only gained headroom_retrieve), else counted locally; the request as written is that
// plus what the engine saved, counted on the outputs it rewrote. Counting runs on a worker thread, after
// the client has its answer.

import { performance } from 'node:perf_hooks';
import { estimateTokens } from '../compress/tokens.js';
import type { UpstreamUsage } from '../formats/types.js';
import type { Logger } from '../log.js';
import type { NewRequestRow, StatsStore } from '../store/types.js';
import type { StatsEvents } from './events.js';
import type { TokenCounter } from './token-counter.js';

/** Who a request belongs to. */
export interface SessionTag {
  id: string;
  agent?: string | null;
  project?: string | null;
}

/** What the engine reported for a request (the shape of the proxy's compression result). */
export interface CompressionReport {
  stats?: { ms: number; transforms: Record<string, number>; problems: string | undefined };
  sideCall?: string;
  /** What cache-aware history did: a rewrite point that set outputs aside, and the stubs carried. */
  history?: { decision: { stubbed: readonly unknown[] }; applied: number; savedChars: number };
  /** What the output step did: the verbosity level, the holdout arm, the turn's kind, effort lowered. */
  output?: {
    agentTurn: boolean;
    level: string;
    arm?: string;
    turn: string;
    effort?: { field: string; from: string | number; to: string | number }[];
  };
  rewritten?: { before: string[]; after: string[] };
  /** In place of `rewritten` for texts too long to tokenize: their characters before and after. */
  rewrittenChars?: { before: number; after: number };
  addedTokens?: number;
}

/** How the exchange ended (the shape of the proxy's exchange outcome). */
export interface ExchangeReport {
  status: number;
  failure?: { reason: string };
  ttfbMs?: number;
  stream: boolean;
  retrievals: number;
  retrievedBytes: number;
  /** Memory tool calls the proxy answered. */
  memoryCalls?: number;
  /** Rounds that continued the turn after the proxy answered tool calls (retrievals, memory). */
  continuations?: number;
  usage: UpstreamUsage;
}

export interface RecordStart {
  provider: string;
  method: string;
  path: string;
  session: SessionTag | undefined;
  /** A request that only counts tokens: it saves nothing itself, so the engine's figures are not kept. */
  tokenCount: boolean;
  /** The model the path names (Gemini), for when neither the upstream nor the body says. */
  pathModel: string | undefined;
}

/** What went upstream: the body as the client sent it and as forwarded (the same Buffer when unchanged). */
export interface SentBodies {
  original: Buffer;
  sent: Buffer;
}

export class StatsRecorder {
  /** Rows of requests that have begun and are not written yet, by session: what `settled` waits for. */
  private readonly unwritten = new Map<string, Set<Promise<void>>>();

  constructor(
    private readonly store: StatsStore,
    private readonly events: StatsEvents,
    private readonly counter: TokenCounter,
    private readonly logger: Logger,
  ) {}

  /** Start the row of a request that just arrived. */
  begin(start: RecordStart): RequestRecord {
    const session = start.session?.id;
    if (session === undefined) return new RequestRecord(start, (row) => this.record(row), this.counter);
    let written = () => {};
    const pending = new Promise<void>((resolve) => {
      written = resolve;
    });
    const open = this.unwritten.get(session) ?? new Set();
    open.add(pending);
    this.unwritten.set(session, open);
    void pending.then(() => {
      open.delete(pending);
      if (open.size === 0 && this.unwritten.get(session) === open) this.unwritten.delete(session);
    });
    return new RequestRecord(start, (row) => this.record(row).then(written), this.counter);
  }

  /**
   * Record a finished row; it is announced once written, so every row a follower sees carries its id. Resolves
   * once the store has written it or given up on it.
   */
  record(row: NewRequestRow): Promise<void> {
    if (this.logger.enabled('debug')) this.logger.debug(describeRow(row));
    return this.store.record(row).then(
      (written) => {
        if (written) this.events.emit(written);
      },
      (error: unknown) => {
        this.logger.warn(`headroom: cannot record a stats row: ${(error as Error)?.message}`);
      },
    );
  }

  /**
   * Resolves once every request of `session` that has begun has its row written (or given up on): true, or
   * false when `timeoutMs` passed first. A client has its answer before its row is complete (tokens are counted
   * after, and the store writes in batches), so this is what a reader of a session that just ended waits for.
   */
  async settled(session: string, timeoutMs: number): Promise<boolean> {
    const pending = [...(this.unwritten.get(session) ?? [])];
    if (pending.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([Promise.all(pending).then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

export class RequestRecord {
  private readonly started = performance.now();
  private readonly row: NewRequestRow;
  private compression: CompressionReport = {};

  private written = false;
  /** What the memory tools and block added to the request, in estimated tokens. */
  private memoryTokens = 0;

  constructor(
    private readonly start: RecordStart,
    private readonly save: (row: NewRequestRow) => Promise<void>,
    private readonly counter: TokenCounter,
  ) {
    this.row = {
      ts: Date.now(),
      provider: start.provider,
      method: start.method,
      path: start.path,
      status: 0,
      sessionId: start.session?.id,
      agent: start.session?.agent,
      project: start.session?.project,
    };
  }

  /** The request body's size (declared, for bodies relayed unread). */
  bodySize(bytes: number | undefined): void {
    this.row.requestBytes = bytes;
  }

  /** The bytes the memory tools and block added to the request: not part of what the agent sent. */
  addedByMemory(bytes: number): void {
    this.memoryTokens = estimateTokens(bytes);
  }

  /** What the engine did, and how long it took. */
  compressed(report: CompressionReport, ms: number): void {
    if (this.start.tokenCount) return;
    this.compression = report;
    const { stats } = report;
    this.row.compressMs = stats?.ms ?? ms;
    this.row.transforms = stats && Object.keys(stats.transforms).length ? stats.transforms : undefined;
    this.row.compressError = stats?.problems;
    this.row.sideCall = report.sideCall;
    if (report.history) {
      this.row.historyRewrite = report.history.decision.stubbed.length > 0;
      this.row.historyStubs = report.history.applied;
      this.row.historySavedTokens = estimateTokens(report.history.savedChars);
    }
    const { output } = report;
    if (output?.agentTurn) {
      this.row.verbosity = output.level;
      this.row.outputArm = output.arm;
      this.row.turnKind = output.turn;
      this.row.effortLowered = output.effort;
    }
  }

  /** The engine failed: the original went out, and the row says why. */
  compressionFailed(error: unknown, ms: number): void {
    if (this.start.tokenCount) return;
    this.row.compressError = (error as Error)?.message || String(error);
    this.row.compressMs = ms;
  }

  /** How long the proxy held the request, its body read, before sending it upstream. */
  heldFor(ms: number): void {
    this.row.overheadMs = ms;
  }

  /** The exchange ended before anything went upstream (the client left while its request was read). */
  ended(failure: { status: number; reason: string }): void {
    this.row.status = failure.status;
    this.row.error = failure.reason;
    this.write();
  }

  /** The exchange is over: fill in how it ended and what it cost, count what was saved, and record. */
  async finish(exchange: ExchangeReport, bodies: SentBodies | undefined): Promise<void> {
    const { usage } = exchange;
    this.row.status = exchange.status;
    this.row.error = exchange.failure?.reason;
    this.row.ttfbMs = exchange.ttfbMs;
    this.row.stream = exchange.stream;
    this.row.retrievals = exchange.retrievals;
    this.row.memoryCalls = exchange.memoryCalls ?? 0;
    this.row.retrievedBytes = exchange.retrievedBytes;
    this.row.latencyMs = performance.now() - this.started;
    this.row.model = usage.model;
    this.row.inputTokens = usage.inputTokens;
    this.row.outputTokens = usage.outputTokens;
    this.row.cacheReadTokens = usage.cacheReadTokens;
    this.row.cacheWriteTokens = usage.cacheWriteTokens;
    if (bodies && !this.start.tokenCount) await this.countTokens(bodies, exchange);
    this.row.model ??= this.start.pathModel;
    this.write();
  }

  private async countTokens({ original, sent }: SentBodies, exchange: ExchangeReport): Promise<void> {
    const { usage } = exchange;
    const unchanged = sent === original;
    const { rewritten, rewrittenChars, addedTokens } = this.compression;
    // Usage summed over the rounds of answered tools is no longer the size of this request.
    const onlyAdded = addedTokens !== undefined && !exchange.retrievals && !exchange.continuations;
    const upstreamCount =
      (unchanged || onlyAdded) && usage.inputTokens !== undefined
        ? usage.inputTokens + (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0)
        : undefined;
    const estimate = upstreamCount === undefined ? await this.counter.request(sent) : undefined;
    const after = upstreamCount ?? estimate?.tokens;
    this.row.model ??= estimate?.model;
    this.row.estInputTokens = after;
    this.row.tokensAfter = after;
    if (unchanged) {
      this.row.tokensBefore = after;
    } else if (onlyAdded && after !== undefined) {
      // The upstream counts with its own tokenizer and the tool estimate with ours: never below zero.
      this.row.tokensBefore = Math.max(0, after - (addedTokens ?? 0));
    } else if (rewritten?.before.length && after !== undefined) {
      const model = this.row.model ?? undefined;
      const [was, now] = await Promise.all([
        this.counter.texts(rewritten.before, model),
        this.counter.texts(rewritten.after, model),
      ]);
      this.row.tokensBefore = after + Math.max(0, was - now);
    } else if (rewrittenChars && after !== undefined) {
      this.row.tokensBefore = after + estimateTokens(rewrittenChars.before - rewrittenChars.after);
    } else {
      this.row.tokensBefore = (await this.counter.request(original)).tokens;
      return;
    }
    // Counted from what was sent, which also carries the memory tools and block headroom added.
    if (this.memoryTokens && this.row.tokensBefore !== undefined)
      this.row.tokensBefore = Math.max(0, this.row.tokensBefore - this.memoryTokens);
  }

  /** The proxy itself failed on the way (a bug, or an error nothing else caught): the row says so. */
  failed(error: unknown): void {
    if (this.written) return;
    this.row.status ||= 500;
    this.row.error ??= `proxy error: ${(error as Error)?.message ?? String(error)}`;
    this.write();
  }

  private write(): void {
    if (this.written) return;
    this.written = true;
    this.row.latencyMs ??= performance.now() - this.started;
    // A copy: the store may hold it a while before writing, and nothing said after this belongs in it.
    void this.save({ ...this.row });
  }
}

/**
 * The `--verbose` line for a request: status, time, tokens before → after, transforms, retrievals, model, then
 * agent, share saved, cache read and the output side (verbosity level, holdout, effort lowered).
 */
export function describeRow(row: NewRequestRow): string {
  const parts = [`${row.method} ${row.path} ${row.status} ${Math.round(row.latencyMs ?? 0)}ms`];
  if (row.tokensBefore !== undefined && row.tokensBefore !== null) {
    parts.push(`tokens ${row.tokensBefore}→${row.tokensAfter}`);
  }
  if (row.transforms) {
    const used = Object.entries(row.transforms).map(([name, blocks]) => `${name}×${blocks}`);
    parts.push(`[${used.join(' ')}]`);
  }
  if (row.retrievals) parts.push(`retrieved ${row.retrievals} (${row.retrievedBytes ?? 0} B)`);
  if (row.memoryCalls) parts.push(`memory calls ${row.memoryCalls}`);
  if (row.historyStubs)
    parts.push(
      `history ${row.historyRewrite ? 'rewritten: ' : ''}${row.historyStubs} stub(s), ${row.historySavedTokens ?? 0} tokens out`,
    );
  if (row.model) parts.push(row.model);
  if (row.agent) parts.push(`agent ${row.agent}`);
  if (row.tokensBefore && row.tokensAfter !== undefined && row.tokensAfter !== null)
    parts.push(`saved ${Math.round((100 * (row.tokensBefore - row.tokensAfter)) / row.tokensBefore)}%`);
  if (row.cacheReadTokens) parts.push(`cache read ${row.cacheReadTokens}`);
  if (row.verbosity && row.verbosity !== 'off') parts.push(`verbosity ${row.verbosity}`);
  if (row.outputArm === 'holdout') parts.push('holdout');
  if (row.effortLowered?.length)
    parts.push(`effort ${row.effortLowered.map((c) => `${c.field} ${c.from}→${c.to}`).join(', ')}`);
  if (row.compressError) parts.push(`(compression: ${row.compressError})`);
  if (row.error) parts.push(`(${row.error})`);
  return parts.join(' ');
}
