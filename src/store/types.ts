// The contracts every store backend meets: the embedded SQLite files today, a shared server later.
// Callers (proxy, library, CLI) depend on these interfaces only, never on a backend.

/** One original a transform shortened, as the compression engine returns it. */
export interface Original {
  id: string;
  text: string;
}

/** Counts describing what an originals store holds. */
export interface OriginalStoreStats {
  /** Where the store lives (a file path, or a URL for a shared backend). */
  location: string;
  originals: number;
  /** UTF-8 size of the originals as given. */
  rawBytes: number;
  /** Size they take at rest (compressed); the size cap counts this. */
  storedBytes: number;
}

/**
 * An original held as its UTF-8 bytes, as a compression thread hands it over (moved, not copied), under the id
 * the thread's engine made of those bytes: stores keep it under that id without hashing it again.
 */
export interface EncodedOriginal {
  id: string;
  utf8: Uint8Array;
}

/** Content-addressed keeping of originals so compressed text can be reversed later. */
export interface OriginalStore {
  /** Where the store lives, for messages that tell a user where to look. */
  readonly location: string;
  /** False while originals live only in this process's memory (its file could not be opened): they go when it exits. */
  readonly persistent: boolean;
  /** Keep `text` and resolve with its id; keeping the same text again only refreshes its last access. */
  put(text: string): Promise<string>;
  /**
   * Keep several originals (a text's id as computed by the engine is re-checked before a new one is kept; an
   * encoded original's is the thread's). Resolves false when they could not be kept (a full disk, say; the
   * store's warning says why), so that nothing is sent pointing at them.
   */
  putMany(originals: Iterable<Original | EncodedOriginal>): Promise<boolean>;
  /** The original for `id`, refreshing its last access; undefined when unknown or expired. */
  get(id: string): Promise<string | undefined>;
  has(id: string): Promise<boolean>;
  stats(): Promise<OriginalStoreStats>;
  /**
   * Decision keys of tool outputs compression had no time left for: they are sent whole on every later
   * request, by every process sharing the store, so the provider's cached prefix stays as it was.
   */
  wholeOutputs(): Promise<string[]>;
  /** Remember more of those keys (kept as long as an original is: `storeTtlDays` after the last use). */
  keepWhole(keys: readonly string[]): Promise<void>;
  /**
   * Every conversation's history decisions: the tool outputs that became stubs at a rewrite point, by key,
   * with why. A proxy reads them when it starts, so a restarted one carries the same stubs.
   */
  historyStubs(): Promise<HistoryStub[]>;
  /** Keep the stubs a rewrite point decided (kept as long as an original is). */
  keepStubs(stubs: readonly HistoryStub[]): Promise<void>;
  /** The conversations whose last request is at or after `since` (ms since the epoch). */
  conversations(since: number): Promise<ConversationState[]>;
  /**
   * One conversation's decisions as every process sharing the store left them: its stubs (in the order they
   * were kept) and its state after its last request. Read on each of its requests, so a conversation moving
   * between proxies carries the same stubs; undefined when the store cannot answer just now.
   */
  conversationHistory(conversation: string): Promise<ConversationHistoryRecord | undefined>;
  /** Remember a conversation's state after one of its requests. */
  saveConversation(state: ConversationState): Promise<void>;
  close(): Promise<void>;
}

/** What the store holds of one conversation's history. */
export interface ConversationHistoryRecord {
  stubs: HistoryStub[];
  state: ConversationState | undefined;
}

/** One tool output a conversation's history rewrite made a stub of. */
export interface HistoryStub {
  conversation: string;
  /** The output's key (`stubKey`: its call id and its text). */
  key: string;
  /** Why: superseded-read, superseded-command or old. */
  reason: string;
}

/** What the proxy knows of a conversation's prompt cache after its last request. */
export interface ConversationState {
  id: string;
  /** When its last request went upstream (ms since the epoch). */
  lastTs: number;
  /** How long the provider keeps that request's prompt cached after its last use. */
  lifetimeMs: number;
  /** Cache reads and writes the upstream reported for it (0 when it reported none). */
  cacheRead: number;
  cacheWrite: number;
  /** Its prompt's tokens as the upstream counted them (input, cache reads and writes). */
  promptTokens: number;
  /** It was a rewrite point: the provider has no cache of its prefix to read yet. */
  rewrote: boolean;
  /** The verbosity level its last agent turn went out with (absent: never steered). */
  level?: string;
  /** Its output-accounting arm, fixed for the conversation once chosen (absent: none chosen yet). */
  arm?: 'steered' | 'holdout';
}

/** One proxied request as the proxy saw it. Absent numbers are unknown, not zero. */
export interface RequestRow {
  id: number;
  /** When the request arrived (ms since the epoch). */
  ts: number;
  provider: string;
  model: string | null;
  method: string;
  path: string;
  /** 0 when the request never got a status. */
  status: number;
  latencyMs: number | null;
  /** Time until the first response byte from the upstream. */
  ttfbMs: number | null;
  stream: boolean;
  requestBytes: number | null;
  /**
   * Input tokens of the request as forwarded: the compression engine's count, else (body unchanged) the
   * upstream's report, else a local tokenizer estimate (from the size alone over 1 MB).
   */
  estInputTokens: number | null;
  /** Tokens of the request before and after compression (equal when nothing was compressed). */
  tokensBefore: number | null;
  tokensAfter: number | null;
  /** Transforms applied, with how many blocks each rewrote. */
  transforms: Record<string, number> | null;
  compressMs: number | null;
  compressError: string | null;
  /**
   * What the proxy added to the request's way up: the time from its body being read to its being sent
   * upstream (compression, keeping originals, adding headroom_retrieve).
   */
  overheadMs: number | null;
  /** Upstream-reported usage; `inputTokens` excludes cache reads and writes. */
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** Why the exchange failed on the proxy's side ('upstream unreachable', 'client aborted', ...). */
  error: string | null;
  /** Read back, agent and project fall back to the registration of the request's session. */
  agent: string | null;
  sessionId: string | null;
  project: string | null;
  /** `headroom_retrieve` calls the proxy answered while serving this request, and the bytes returned. */
  retrievals: number;
  retrievedBytes: number;
  /** Memory tool calls (memory_save, memory_search…) the proxy answered while serving this request. */
  memoryCalls: number;
  /** The agent side call the request was (`claude-code-bash-paths`...), or null for an agent turn. */
  sideCall: string | null;
  /** The request was a history rewrite point that set old outputs aside as stubs. */
  historyRewrite: boolean;
  /** Tool outputs that went as their history stub, and the tokens (characters / 4) the stubs took out. */
  historyStubs: number;
  historySavedTokens: number;
  /** The verbosity level the request went out with ('off', '1'-'4'), null when no agent turn was steered. */
  verbosity: string | null;
  /** The holdout arm of the request's conversation (`steered`, `holdout`), null while neither is measured. */
  outputArm: string | null;
  /** What the request's last message was: `continuation`, `after-error`, `user`, `other`. */
  turnKind: string | null;
  /** Effort fields effort routing lowered, e.g. `[{ field: 'reasoning.effort', from: 'high', to: 'low' }]`. */
  effortLowered: { field: string; from: string | number; to: string | number }[] | null;
}

/** What `record()` takes: the row without its id; anything left out is stored as unknown. */
export type NewRequestRow = Pick<RequestRow, 'ts' | 'provider' | 'method' | 'path' | 'status'> &
  Partial<Omit<RequestRow, 'id' | 'ts' | 'provider' | 'method' | 'path' | 'status'>>;

/** A registered agent session; fields left out of an update keep their value. */
export interface SessionInfo {
  id: string;
  agent?: string | null;
  project?: string | null;
  startedTs?: number;
  endedTs?: number | null;
}

/** Which slice of the matching rows to read. */
export interface RowsPage {
  /** Only rows written after the one with this id. */
  afterId?: number;
  /** Only the newest `limit` rows (still oldest first). */
  limit?: number;
}

/** One row per proxied request and one per agent session, shared by every proxy that records. */
export interface StatsStore {
  /** Where the rows live, for messages that tell a user where to look. */
  readonly location: string;
  /**
   * Queue one row, written together with others shortly after, off the caller's path. Resolves with the
   * row as written (id included) once its batch is; resolves undefined, never rejects, when it could not
   * be written (the store's onError is told why).
   */
  record(row: NewRequestRow): Promise<RequestRow | undefined>;
  /** The rows matching `filter`, oldest first. */
  rows(filter?: StatsFilter, page?: RowsPage): Promise<RequestRow[]>;
  /**
   * Every row matching `filter`, oldest first, handed to `take` a page at a time and never held together:
   * totals over a long history cost neither its memory nor a long hold of the event loop.
   */
  scanRows(filter: StatsFilter, take: (rows: RequestRow[]) => void): Promise<void>;
  /** The id of the newest row, or 0 when there is none. */
  lastId(): Promise<number>;
  /** Register a session or update what is known about it. */
  upsertSession(session: SessionInfo): Promise<void>;
  /** One session's registration, if it was registered. */
  session(id: string): Promise<SessionInfo | undefined>;
  /** The registered sessions matching `filter` (by their own id, agent, project and start). */
  sessions(filter?: StatsFilter): Promise<SessionInfo[]>;
  /** Delete every row and session; resolves with the number of rows deleted. */
  reset(): Promise<number>;
  /** Write what is queued now. */
  flush(): Promise<void>;
  /** Write what is queued and let go of the store. */
  close(): Promise<void>;
  /**
   * A store several processes write (a shared server) tells of every row any of them writes from now on,
   * so one proxy's live feed shows them all; returns the unsubscribe function. Absent on a store whose
   * writer's own events already carry every row it will hold.
   */
  follow?(listener: (row: RequestRow) => void): () => void;
}

/** Which requests a report covers. Every field narrows; absent fields do not. */
export interface StatsFilter {
  /** Only requests at or after this time (epoch ms). */
  since?: number;
  agent?: string;
  session?: string;
  project?: string;
  /** Case-insensitive substring matched against agent, project and model. */
  text?: string;
}

/** One thing an agent asked to remember, with where it came from. */
export interface Memory {
  /** `m_` + 12 hex digits, fixed when it is first saved (an edit keeps it). */
  id: string;
  /** Whose it is: `project:<absolute dir>` or `user`. */
  scope: string;
  text: string;
  /** SHA-256 of the normalised text: two saves of the same words share it. */
  hash: string;
  /** The agent that saved it first. */
  agent: string | null;
  /** Every agent that saved or confirmed it, first saver first. */
  agents: string[];
  createdTs: number;
  updatedTs: number;
  /** Times it was saved again (the same words, or nearly) after the first. */
  confirmations: number;
}

/** A memory found by a search, with its BM25 rank (lower is better, as SQLite FTS5 gives it). */
export interface MemoryHit extends Memory {
  score: number;
}

/** Which memories a listing or a search covers. */
export interface MemoryFilter {
  /** Only this scope; every scope when absent. */
  scope?: string;
  limit?: number;
}

/**
 * The memories agents share, searchable by relevance, and the memory block each conversation turn was sent
 * with (kept so that the turn goes out byte-identical on every later request).
 */
export interface MemoryStore {
  /** Where the store lives, for messages that tell a user where to look. */
  readonly location: string;
  /** Keep a new memory (its id is new). */
  insert(memory: Memory): Promise<void>;
  /** Write every field of a memory already kept (matched by id). */
  replace(memory: Memory): Promise<void>;
  get(id: string): Promise<Memory | undefined>;
  /** The memory of `scope` whose normalised text hashes to `hash`. */
  byHash(scope: string, hash: string): Promise<Memory | undefined>;
  /** Newest first. */
  list(filter?: MemoryFilter): Promise<Memory[]>;
  /** Best first by BM25 over the words of `query`; none when it has no words. */
  search(query: string, filter?: MemoryFilter): Promise<MemoryHit[]>;
  /** Resolves false when there was no such memory. */
  delete(id: string): Promise<boolean>;
  /** The kept embeddings of memory texts by content hash, made by the model `model`; absent when not kept. */
  vectors(model: string, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Keep embeddings by content hash for the model `model` (a text's vector never changes). */
  keepVectors(model: string, vectors: ReadonlyMap<string, Float32Array>): Promise<void>;
  /** The memory block a conversation turn was first sent with ('' for none), by the turn's key. */
  turnBlock(key: string): Promise<string | undefined>;
  keepTurnBlock(key: string, block: string): Promise<void>;
  close(): Promise<void>;
}
