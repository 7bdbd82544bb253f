// The proxy's memory of its conversations' history: the stubs each rewrite point decided and what each
// conversation's last answer said of the prompt cache, kept in the originals store so a restarted proxy (or
// another sharing the store) carries the same stubs and judges the cache alike. Each request's step runs on
// what this process knows, then its conversation's decisions are read from the store; when another replica
// kept more (a conversation that moved between replicas) the step runs again with it, so the conversation
// keeps its stubs (and its cached prefix). What this process decided stands in while the store cannot answer.

import type { StaleOptions } from '../compress/history.js';
import type { HistoryMode } from '../config.js';
import type { UpstreamUsage } from '../formats/types.js';
import type { HistoryDecision, HistoryJob } from '../history/decide.js';
import { HORIZON_TURNS, sessionOf } from '../history/rewrite-points.js';
import type { Logger } from '../log.js';
import type {
  ConversationHistoryRecord,
  ConversationState,
  HistoryStub,
  OriginalStore,
} from '../store/types.js';

/** The longest cache lifetime any format asks for (OpenAI's 24-hour retention): older states are cold. */
const LONGEST_LIFETIME_MS = 24 * 3_600_000;

// Automatic caches (OpenAI, Gemini) report reads only; a prompt this long is cached as it is processed.
const AUTOMATIC_CACHE_MIN_TOKENS = 1024;

export interface HistoryOptions {
  /** The proxy's clock in ms; tests move it instead of sleeping. */
  now: () => number;
  logger: Logger;
  stale?: StaleOptions;
}

export class ConversationHistory {
  private constructor(
    private readonly store: OriginalStore,
    private readonly options: HistoryOptions,
    /** By session ('' for conversations without one): a request is given its own session's only. */
    private readonly stubs: Map<string, HistoryStub[]>,
    private readonly states: Map<string, ConversationState>,
  ) {}

  /** The history the store holds. */
  static async open(store: OriginalStore, options: HistoryOptions): Promise<ConversationHistory> {
    const stubs = new Map<string, HistoryStub[]>();
    for (const stub of await store.historyStubs()) stubsOf(stubs, stub.conversation).push(stub);
    const states = new Map<string, ConversationState>();
    for (const state of await store.conversations(options.now() - LONGEST_LIFETIME_MS))
      states.set(state.id, state);
    return new ConversationHistory(store, options, stubs, states);
  }

  /** The conversations whose cache may still be warm at `now` (older states are let go). */
  warm(now: number): ConversationState[] {
    const conversations: ConversationState[] = [];
    for (const [id, state] of this.states) {
      if (now - state.lastTs <= state.lifetimeMs) conversations.push(state);
      else if (now - state.lastTs > LONGEST_LIFETIME_MS) this.states.delete(id);
    }
    return conversations;
  }

  /** Every conversation state held, warm or not (the arm a conversation was put in outlives its cache). */
  known(): Iterable<ConversationState> {
    return this.states.values();
  }

  /** The proxy's clock. */
  now(): number {
    return this.options.now();
  }

  /**
   * What a request's history step is given: the stubs and states this process knows of the session's
   * conversations (the step tells which one the body is). Nothing here reads the body: a big request is
   * parsed once, off the main thread; `refresh` then checks the store for what other processes decided.
   */
  job(session: string | undefined, mode: HistoryMode): HistoryJob {
    const now = this.options.now();
    return {
      mode,
      now,
      session,
      conversations: this.warm(now),
      stubs: this.stubs.get(session ?? '') ?? [],
      options: this.options.stale,
    };
  }

  /**
   * Take in what the store holds of `conversation` (a request's, once its step named it): true when that is
   * more than this process knew (stubs or a newer state another replica kept), so the step must run again.
   */
  async refresh(conversation: string): Promise<boolean> {
    const record = await this.store.conversationHistory(conversation);
    return record ? this.learn(conversation, record) : false;
  }

  /** Take in what the store holds of a conversation: stubs another process decided, and its newest state. */
  private learn(conversation: string, record: ConversationHistoryRecord): boolean {
    const list = stubsOf(this.stubs, conversation);
    const known = new Set(list.filter((stub) => stub.conversation === conversation).map((stub) => stub.key));
    let learned = false;
    for (const stub of record.stubs) {
      if (known.has(stub.key)) continue;
      list.push(stub);
      learned = true;
    }
    const mine = this.states.get(conversation);
    if (record.state && (!mine || record.state.lastTs > mine.lastTs)) {
      this.states.set(conversation, record.state);
      learned = true;
    }
    return learned;
  }

  /** Keep the stubs a rewrite point decided, before the request leaves: the next one must carry them. */
  async decided(decision: HistoryDecision): Promise<void> {
    const { logger } = this.options;
    // A rewrite point with nothing stale and no figures (every new conversation's first request) says nothing.
    const worthSaying = decision.stubbed.length > 0 || decision.breakEven !== undefined;
    if (decision.point && worthSaying && logger.enabled('debug')) logger.debug(describeDecision(decision));
    if (!decision.stubbed.length) return;
    stubsOf(this.stubs, decision.conversation).push(...decision.stubbed);
    await this.store.keepStubs(decision.stubbed);
  }

  /**
   * The upstream answered a request of the conversation: remember what it said of the cache, and how the
   * request was steered (the prefix now cached carries that level's note).
   */
  async answered(
    decision: Pick<HistoryDecision, 'conversation' | 'lifetimeMs' | 'stubbed'>,
    sentAt: number,
    usage: UpstreamUsage,
    steered?: { level?: string; arm?: ConversationState['arm'] },
  ): Promise<void> {
    const input = usage.inputTokens ?? 0;
    const cacheRead = usage.cacheReadTokens ?? 0;
    const cacheWrite =
      usage.cacheWriteTokens ?? (input + cacheRead >= AUTOMATIC_CACHE_MIN_TOKENS ? input : 0);
    const state: ConversationState = {
      id: decision.conversation,
      lastTs: sentAt,
      lifetimeMs: decision.lifetimeMs,
      cacheRead,
      cacheWrite,
      promptTokens: input + cacheRead + (usage.cacheWriteTokens ?? 0),
      rewrote: decision.stubbed.length > 0,
    };
    // A turn that is not an agent's (a token count, a side call) leaves the conversation's steering as it was.
    const before = this.states.get(state.id);
    const steering = steered?.arm ? steered : before;
    if (steering?.arm) {
      state.arm = steering.arm;
      if (steering.level) state.level = steering.level;
    }
    this.states.set(state.id, state);
    await this.store.saveConversation(state);
  }
}

/** The list of stubs of `conversation`'s session, made when it has none yet. */
function stubsOf(bySession: Map<string, HistoryStub[]>, conversation: string): HistoryStub[] {
  const session = sessionOf(conversation) ?? '';
  const list = bySession.get(session) ?? [];
  bySession.set(session, list);
  return list;
}

/** One line on a rewrite point, for --verbose. */
export function describeDecision(decision: HistoryDecision): string {
  const parts = [`headroom: history rewrite point (${decision.point}) in ${decision.conversation}`];
  const figures = decision.breakEven;
  if (figures) {
    parts.push(
      `break-even over ${HORIZON_TURNS} turns: keep ${Math.round(figures.keepCost)} vs rewrite ${Math.round(figures.rewriteCost)} input-token units ` +
        `(tail ${figures.tokensAfter} tokens, stubs save ${figures.saved}, cache read ×${figures.prices.read.toFixed(2)}, write ×${figures.prices.write.toFixed(2)})`,
    );
  }
  parts.push(
    decision.stubbed.length
      ? `${decision.stubbed.length} output(s) set aside as stubs`
      : figures && !figures.rewrite
        ? 'kept as it was: the rewrite would cost more than it saves'
        : 'nothing to set aside',
  );
  return parts.join('; ');
}
