// Reads a recorded request from the wire: a SQLite row (snake_case columns) or a `/stats/stream` event
// (camelCase JSON). Anything that is not a request with an id and a time is rejected, not guessed at.

import type { NewRequestRow, RequestRow } from './types.js';

type Raw = Record<string, unknown>;

// Computed once per column name: a report reads hundreds of thousands of rows.
const camelNames = new Map<string, string>();

function camel(snake: string): string {
  let name = camelNames.get(snake);
  if (name === undefined) {
    name = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    camelNames.set(snake, name);
  }
  return name;
}

function field(raw: Raw, snake: string): unknown {
  return raw[snake] ?? raw[camel(snake)];
}

function num(raw: Raw, snake: string): number | null {
  const v = field(raw, snake);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** A yes/no column: SQLite's 1 or a stream event's `true`. */
function flag(raw: Raw, snake: string): boolean {
  const value = field(raw, snake);
  return value === true || value === 1;
}

function str(raw: Raw, snake: string): string | null {
  const v = field(raw, snake);
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The effort fields lowered, from the column's JSON or a stream event's array. */
function effortOf(value: unknown): RequestRow['effortLowered'] {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(parsed)) return null;
  const changes = parsed.filter(
    (c): c is { field: string; from: string | number; to: string | number } =>
      typeof c === 'object' && c !== null && typeof (c as { field?: unknown }).field === 'string',
  );
  return changes.length ? changes : null;
}

function transformsOf(value: unknown): Record<string, number> | null {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const out: Record<string, number> = {};
  for (const [name, count] of Object.entries(parsed)) {
    if (typeof count === 'number' && count > 0) out[name] = count;
  }
  return out;
}

function timeOf(raw: Raw): number | null {
  const v = field(raw, 'ts');
  if (typeof v === 'string' && Number.isNaN(Number(v))) {
    const parsed = Date.parse(v);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return num(raw, 'ts');
}

/** The row `record()` was given, as written under `id`: unknown figures null, as a read gives them back. */
export function writtenRow(row: NewRequestRow, id: number): RequestRow {
  return {
    id,
    ts: row.ts,
    provider: row.provider,
    model: row.model ?? null,
    method: row.method,
    path: row.path,
    status: row.status,
    latencyMs: row.latencyMs ?? null,
    ttfbMs: row.ttfbMs ?? null,
    stream: row.stream ?? false,
    requestBytes: row.requestBytes ?? null,
    estInputTokens: row.estInputTokens ?? null,
    tokensBefore: row.tokensBefore ?? null,
    tokensAfter: row.tokensAfter ?? null,
    transforms: row.transforms ?? null,
    compressMs: row.compressMs ?? null,
    compressError: row.compressError ?? null,
    overheadMs: row.overheadMs ?? null,
    inputTokens: row.inputTokens ?? null,
    outputTokens: row.outputTokens ?? null,
    cacheReadTokens: row.cacheReadTokens ?? null,
    cacheWriteTokens: row.cacheWriteTokens ?? null,
    error: row.error ?? null,
    agent: row.agent ?? null,
    sessionId: row.sessionId ?? null,
    project: row.project ?? null,
    retrievals: row.retrievals ?? 0,
    retrievedBytes: row.retrievedBytes ?? 0,
    memoryCalls: row.memoryCalls ?? 0,
    sideCall: row.sideCall ?? null,
    historyRewrite: row.historyRewrite ?? false,
    historyStubs: row.historyStubs ?? 0,
    historySavedTokens: row.historySavedTokens ?? 0,
    verbosity: row.verbosity ?? null,
    outputArm: row.outputArm ?? null,
    turnKind: row.turnKind ?? null,
    effortLowered: row.effortLowered ?? null,
  };
}

/** A request row from a store row or stream event, or undefined when it is not one. */
export function toRequestRow(value: unknown): RequestRow | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Raw;
  const id = num(raw, 'id');
  const ts = timeOf(raw);
  if (id === null || ts === null) return undefined;
  return {
    id,
    ts,
    provider: str(raw, 'provider') ?? 'unknown',
    model: str(raw, 'model'),
    method: str(raw, 'method') ?? 'POST',
    path: str(raw, 'path') ?? '',
    // 0 marks a request that never got a status (the store always has one).
    status: num(raw, 'status') ?? 0,
    latencyMs: num(raw, 'latency_ms'),
    ttfbMs: num(raw, 'ttfb_ms'),
    stream: flag(raw, 'stream'),
    requestBytes: num(raw, 'request_bytes'),
    estInputTokens: num(raw, 'est_input_tokens'),
    tokensBefore: num(raw, 'tokens_before'),
    tokensAfter: num(raw, 'tokens_after'),
    transforms: transformsOf(field(raw, 'transforms')),
    compressMs: num(raw, 'compress_ms'),
    compressError: str(raw, 'compress_error'),
    overheadMs: num(raw, 'overhead_ms'),
    inputTokens: num(raw, 'input_tokens'),
    outputTokens: num(raw, 'output_tokens'),
    cacheReadTokens: num(raw, 'cache_read_tokens'),
    cacheWriteTokens: num(raw, 'cache_write_tokens'),
    error: str(raw, 'error'),
    agent: str(raw, 'agent'),
    sessionId: str(raw, 'session_id'),
    project: str(raw, 'project'),
    retrievals: num(raw, 'retrievals') ?? 0,
    retrievedBytes: num(raw, 'retrieved_bytes') ?? 0,
    memoryCalls: num(raw, 'memory_calls') ?? 0,
    sideCall: str(raw, 'side_call'),
    historyRewrite: flag(raw, 'history_rewrite'),
    historyStubs: num(raw, 'history_stubs') ?? 0,
    historySavedTokens: num(raw, 'history_saved_tokens') ?? 0,
    verbosity: str(raw, 'verbosity'),
    outputArm: str(raw, 'output_arm'),
    turnKind: str(raw, 'turn_kind'),
    effortLowered: effortOf(field(raw, 'effort_lowered')),
  };
}
