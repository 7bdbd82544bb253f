// The engine's entry points: compress one text, a message list, or a whole request body.
// Pure and deterministic: same input and options, same bytes out; originals are returned, never stored.

import { createHash } from 'node:crypto';
import { formatMarker, MARKER_PATTERN, originalId } from './marker.js';
import { anthropic } from '../providers/anthropic.js';
import { gemini } from '../providers/gemini.js';
import { openaiChat } from '../providers/openai-chat.js';
import { openaiResponses } from '../providers/openai-responses.js';
import { isObject, type Provider, replaceAt, type ToolOutput, type WireFormat } from '../providers/types.js';
import { detectKind } from './detect.js';
import { lineDelta } from './near-duplicate.js';
import { buildQuery, type Query } from './query.js';
import { countTokens, type EncodingName, encodingFor } from './tokens.js';
import { TRANSFORMS, transformFor } from './transforms/index.js';
import type { Kind, TransformName } from './types.js';

/** Options for {@link compress}, {@link compressRequestBody} and {@link compressText}. */
export interface CompressOptions {
  /** Wire format of the messages; detected from their shape when `'auto'` or absent. */
  format?: WireFormat | 'auto';
  /** Tool outputs under this many tokens pass untouched (default 300). */
  minTokens?: number;
  /** Time budget per request in ms; blocks reached after it pass untouched (default 200). */
  budgetMs?: number;
  /** Tool names whose outputs are never compressed, on top of editing tools. */
  excludeTools?: readonly string[];
  /** Transforms to switch off: json, logs, search, diff, html, text, dedup. */
  disableTransforms?: readonly string[];
  /** Model the request goes to; picks the tokenizer for the stats. */
  model?: string;
  /** `'estimate'` counts tokens as characters / 4 for speed (the proxy's hot path); default `'exact'`. */
  tokenCounting?: 'exact' | 'estimate';
}

/** Options for {@link compressText}. */
export interface CompressTextOptions
  extends Pick<CompressOptions, 'disableTransforms' | 'model' | 'tokenCounting'> {
  /** What the reader is looking for; lines and items that match it are kept first. */
  query?: string;
  /** Skip detection and treat the text as this kind. */
  kind?: Kind | 'auto';
  /** Reuse the result of an identical earlier call (default true); benchmarks turn it off. */
  memo?: boolean;
}

/** Why a tool output was left as it was. */
export type SkipReason =
  | 'below-threshold'
  | 'edit-tool'
  | 'excluded-tool'
  | 'file-read'
  | 'already-compressed'
  | 'code'
  | 'no-gain'
  | 'disabled'
  | 'budget'
  | 'error';

/** What happened to one tool output. */
export interface BlockStats {
  /** Position among the request's tool outputs. */
  index: number;
  callId: string | undefined;
  toolName: string | undefined;
  kind: Kind | undefined;
  /** The transform that shortened it (`dedup` for a repeat of an earlier output), or undefined. */
  transform: TransformName | 'dedup' | undefined;
  tokensBefore: number;
  tokensAfter: number;
  ms: number;
  /** Id of the original in the CCR store when content was dropped. */
  originalId: string | undefined;
  skipped: SkipReason | undefined;
  error: string | undefined;
}

/** Totals over a request. */
export interface CompressStats {
  blocks: BlockStats[];
  tokensBefore: number;
  tokensAfter: number;
  ms: number;
}

/** An original whose shortened form carries a marker; store it so `headroom_retrieve` can return it. */
export interface Original {
  id: string;
  text: string;
}

/** Result of {@link compress}. */
export interface CompressResult<M = unknown> {
  messages: M[];
  stats: CompressStats;
  originals: Original[];
}

/** Result of {@link compressRequestBody}. */
export interface CompressBodyResult {
  body: unknown;
  changed: boolean;
  stats: CompressStats;
  originals: Original[];
}

/** Result of {@link compressText}. */
export interface CompressTextResult {
  text: string;
  kind: Kind;
  transform: TransformName | undefined;
  tokensBefore: number;
  tokensAfter: number;
  originalId: string | undefined;
  /** Why the text came back unchanged. */
  skipped: SkipReason | undefined;
}

const DEFAULTS = { minTokens: 300, budgetMs: 200 };
const PROVIDERS: Record<WireFormat, Provider> = {
  anthropic,
  'openai-chat': openaiChat,
  'openai-responses': openaiResponses,
  gemini,
};

// Outputs the model edits against by exact text; shortening them breaks the next edit.
const EDIT_TOOLS = new Set([
  'edit',
  'write',
  'multiedit',
  'notebookedit',
  'apply_patch',
  'str_replace_editor',
  'str_replace_based_edit_tool',
  'edit_file',
  'write_file',
  'create_file',
  'replace',
  'write_to_file',
]);
const READ_TOOLS = new Set([
  'read',
  'read_file',
  'view',
  'view_file',
  'open_file',
  'notebookread',
  'read_many_files',
]);
// One `\s` before the arguments: with `\s+` the two overlapping runs backtrack quadratically on a long command.
const FILE_READ_COMMAND = /^\s*(cat|head|tail|nl|bat|less|more|sed\s+-n\s+\S+)\s[^|;&<>]+$/;

interface Dropped {
  text: string;
  kind: Kind;
  transform: TransformName | undefined;
  originalId: string | undefined;
  skipped: SkipReason | undefined;
}

// Agents resend the whole conversation every turn: remember recent results so old blocks cost nothing.
// Least recently used goes first: a block every turn resends must keep its decision (past the time
// budget a forgotten block would go out whole, changing bytes the provider has cached).
const MEMO_LIMIT = 512;
const memo = new Map<string, Dropped>();

function memorise(key: string, value: Dropped): Dropped {
  memo.delete(key);
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(key, value);
  return value;
}

function memoKey(text: string, query: Query, kind: Kind | undefined, disabled: ReadonlySet<string>): string {
  return createHash('sha256')
    .update(`${kind ?? ''}\u0000${query.terms.join(' ')}\u0000${[...disabled].sort().join(',')}\u0000`)
    .update(text)
    .digest('hex');
}

/** Shorten one text with the transform for its kind; the original is kept retrievable via the marker. */
function shorten(
  text: string,
  query: Query,
  kind: Kind | undefined,
  disabled: ReadonlySet<string>,
  useMemo = true,
): Dropped {
  const key = useMemo ? memoKey(text, query, kind, disabled) : '';
  const cached = useMemo ? memo.get(key) : undefined;
  if (cached) return memorise(key, cached);
  const remember = (value: Dropped) => (useMemo ? memorise(key, value) : value);
  const detected = kind ?? detectKind(text);
  const transform = transformFor(detected);
  if (!transform)
    return remember({ text, kind: detected, transform: undefined, originalId: undefined, skipped: 'code' });
  // A page that html-to-text cannot shorten may still shorten as text; other kinds keep their
  // structure or stay whole, since dropping lines blindly would lose errors and changed lines.
  const candidates = detected === 'html' ? [transform, TRANSFORMS.text] : [transform];
  for (const candidate of candidates) {
    if (disabled.has(candidate.name)) continue;
    let result: ReturnType<typeof candidate.compress>;
    try {
      result = candidate.compress(text, { query });
    } catch {
      // Fail open: content a transform cannot handle (e.g. JSON nested past the stack) goes out whole.
      return remember({
        text,
        kind: detected,
        transform: undefined,
        originalId: undefined,
        skipped: 'error',
      });
    }
    if (!result) continue;
    const id = originalId(text);
    const out = `${result.text}\n${formatMarker(result.summary, id)}`;
    if (out.length >= text.length) continue;
    return remember({
      text: out,
      kind: detected,
      transform: candidate.name,
      originalId: id,
      skipped: undefined,
    });
  }
  const skipped = candidates.every((c) => disabled.has(c.name)) ? 'disabled' : 'no-gain';
  return remember({ text, kind: detected, transform: undefined, originalId: undefined, skipped });
}

function tokenCounter(options: Pick<CompressOptions, 'model' | 'tokenCounting'>): (text: string) => number {
  if (options.tokenCounting === 'estimate') return (text) => Math.ceil(text.length / 4);
  const encoding: EncodingName = encodingFor(options.model);
  return (text) => countTokens(text, encoding);
}

/**
 * Compress one text (a file, a command's output) for a reader with the given query.
 * Returns the text unchanged when nothing can be dropped.
 */
export function compressText(
  text: string,
  options: CompressTextOptions = {},
): CompressTextResult & { original: string } {
  const count = tokenCounter(options);
  const disabled = new Set(options.disableTransforms ?? []);
  const kind = options.kind && options.kind !== 'auto' ? options.kind : undefined;
  const query = buildQuery(options.query ?? '');
  const result = text.length === 0 ? undefined : shorten(text, query, kind, disabled, options.memo ?? true);
  const out = result?.text ?? text;
  const before = count(text);
  return {
    text: out,
    kind: result?.kind ?? 'text',
    transform: result?.transform,
    tokensBefore: before,
    tokensAfter: out === text ? before : count(out),
    originalId: result?.originalId,
    skipped: result ? result.skipped : 'below-threshold',
    original: text,
  };
}

/** The command a shell tool call ran, from its JSON arguments. */
function shellCommand(args: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    if (!isObject(parsed)) return undefined;
    const command = parsed.command ?? parsed.cmd;
    if (typeof command === 'string') return command;
    if (Array.isArray(command)) return String(command[command.length - 1] ?? '');
  } catch {
    // Arguments that are not JSON name no command.
  }
  return undefined;
}

/** The text values of a call's arguments: part of the block's relevance query. */
function argumentText(args: string): string {
  try {
    const values: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === 'string') values.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (isObject(v)) Object.values(v).forEach(walk);
    };
    walk(JSON.parse(args));
    return values.join(' ');
  } catch {
    return args;
  }
}

type Policy = 'compress' | 'edit-tool' | 'excluded-tool' | 'file-read';

function policyFor(output: ToolOutput, excluded: ReadonlySet<string>): Policy {
  const name = (output.toolName ?? '').toLowerCase();
  if (excluded.has(name)) return 'excluded-tool';
  if (EDIT_TOOLS.has(name)) return 'edit-tool';
  if (READ_TOOLS.has(name)) return 'file-read';
  const command = shellCommand(output.toolArgs);
  if (command !== undefined && FILE_READ_COMMAND.test(command)) return 'file-read';
  return 'compress';
}

function aboveThreshold(text: string, minTokens: number, count: (t: string) => number): boolean {
  // Characters bound tokens from both sides closely enough to skip counting most blocks.
  if (text.length * 2 < minTokens) return false;
  if (text.length >= minTokens * 8) return true;
  return count(text) >= minTokens;
}

/** Text compared for dedup: trailing spaces and surrounding blank lines do not make outputs differ. */
function dedupKey(text: string): string {
  return createHash('sha256')
    .update(text.replace(/[ \t]+$/gm, '').trim())
    .digest('hex');
}

const NEAR_DUPLICATE_CANDIDATES = 8;

/** An earlier output a later one may be a near-duplicate of, with its dedup key. */
interface Earlier {
  output: ToolOutput;
  key: string;
}

// Pairs already compared, by their dedup keys: every turn resends the conversation, and a diff of two
// big outputs is worth computing once.
const deltas = new Map<string, string | null>();

function memoisedDelta(before: Earlier, later: string, laterKey: string): string | undefined {
  const pair = `${before.key}:${laterKey}`;
  let delta = deltas.get(pair);
  if (delta === undefined) {
    delta = lineDelta(before.output.text, later) ?? null;
    if (deltas.size >= MEMO_LIMIT) deltas.delete(deltas.keys().next().value as string);
    deltas.set(pair, delta);
  }
  return delta ?? undefined;
}

/** The reference that stands for a repeat of an earlier output. */
function repeatOf(output: ToolOutput, earlier: ToolOutput): string {
  const from = earlier.toolName ? `${earlier.toolName} output` : 'tool output';
  return formatMarker(
    `same as the ${from} of call ${earlier.callId ?? '(unnamed)'} earlier in this conversation`,
    originalId(output.text),
  );
}

/**
 * A later output that differs from a recent earlier one in a few lines (a test re-run, a status polled
 * again): a reference to the earlier call plus the changed lines, with the marker of the full original.
 */
function nearDuplicate(output: ToolOutput, key: string, earlier: readonly Earlier[]): string | undefined {
  for (let k = earlier.length - 1; k >= Math.max(0, earlier.length - NEAR_DUPLICATE_CANDIDATES); k--) {
    const before = earlier[k] as Earlier;
    const delta = memoisedDelta(before, output.text, key);
    if (delta === undefined) continue;
    const call = before.output;
    const from = call.toolName ? `${call.toolName} output` : 'tool output';
    return `${delta}\n${formatMarker(
      `same as the ${from} of call ${call.callId ?? '(unnamed)'} earlier in this conversation except the lines above`,
      originalId(output.text),
    )}`;
  }
  return undefined;
}

function detectFormat(messages: readonly unknown[]): WireFormat {
  if (gemini.recognises(messages)) return 'gemini';
  if (openaiResponses.recognises(messages) && !openaiChat.recognises(messages)) return 'openai-responses';
  if (openaiChat.recognises(messages)) return 'openai-chat';
  return 'anthropic';
}

function compressMessages(
  provider: Provider,
  messages: readonly unknown[],
  options: CompressOptions,
): { messages: unknown[]; stats: CompressStats; originals: Original[]; changed: boolean } {
  const started = performance.now();
  const minTokens = options.minTokens ?? DEFAULTS.minTokens;
  const budgetMs = options.budgetMs ?? DEFAULTS.budgetMs;
  // Time spent in transforms only: token counting for the stats does not eat the budget.
  let workMs = 0;
  const excluded = new Set((options.excludeTools ?? []).map((t) => t.toLowerCase()));
  const disabled = new Set(options.disableTransforms ?? []);
  const count = tokenCounter(options);
  const seen = new Map<string, ToolOutput>();
  const earlierOutputs: Earlier[] = [];
  const originals = new Map<string, string>();
  const blocks: BlockStats[] = [];
  let result: unknown[] = messages as unknown[];
  let changed = false;

  provider.toolOutputs(messages).forEach((output, index) => {
    const blockStart = performance.now();
    const stats: BlockStats = {
      index,
      callId: output.callId,
      toolName: output.toolName,
      kind: undefined,
      transform: undefined,
      tokensBefore: 0,
      tokensAfter: 0,
      ms: 0,
      originalId: undefined,
      skipped: undefined,
      error: undefined,
    };
    blocks.push(stats);
    let text = output.text;
    try {
      const policy = policyFor(output, excluded);
      const big = aboveThreshold(output.text, minTokens, count);
      const key = big && policy === 'compress' ? dedupKey(output.text) : undefined;
      const earlier = key ? seen.get(key) : undefined;
      if (key && !earlier) seen.set(key, output);
      const reference = earlier && !disabled.has('dedup') ? repeatOf(output, earlier) : undefined;
      // The model edits a file by the exact text it read: a read passes whole, whatever it holds.
      if (policy !== 'compress') stats.skipped = policy;
      else if (!big) stats.skipped = 'below-threshold';
      else if (MARKER_PATTERN.test(output.text)) stats.skipped = 'already-compressed';
      else if (reference && reference.length < output.text.length) {
        text = reference;
        stats.transform = 'dedup';
        stats.originalId = originalId(output.text);
      } else {
        const query = buildQuery(output.userText, argumentText(output.toolArgs));
        const decision = memoKey(output.text, query, undefined, disabled);
        if (workMs > budgetMs && !memo.has(decision)) {
          // Remember the decision: on the next turn this block must go out the same way, or the
          // provider's prompt cache misses from here on.
          memorise(decision, {
            text: output.text,
            kind: 'text',
            transform: undefined,
            originalId: undefined,
            skipped: 'budget',
          });
        }
        const workStart = performance.now();
        const shortened = shorten(output.text, query, undefined, disabled);
        workMs += performance.now() - workStart;
        stats.kind = shortened.kind;
        text = shortened.text;
        stats.transform = shortened.transform;
        stats.originalId = shortened.originalId;
        stats.skipped = shortened.skipped;
        const similar =
          shortened.skipped === 'budget' || disabled.has('dedup')
            ? undefined
            : nearDuplicate(output, key ?? dedupKey(output.text), earlierOutputs);
        if (similar && similar.length < text.length) {
          text = similar;
          stats.transform = 'dedup';
          stats.originalId = originalId(output.text);
          stats.skipped = undefined;
        }
      }
      if (key) earlierOutputs.push({ output, key });
    } catch (error) {
      text = output.text;
      stats.transform = undefined;
      stats.originalId = undefined;
      stats.skipped = 'error';
      stats.error = (error as Error).message;
    }
    stats.tokensBefore = count(output.text);
    stats.tokensAfter = text === output.text ? stats.tokensBefore : count(text);
    if (text !== output.text) {
      result = replaceAt(result, output.path, output.encode ? output.encode(text) : text) as unknown[];
      if (stats.originalId) originals.set(stats.originalId, output.text);
      changed = true;
    }
    stats.ms = performance.now() - blockStart;
  });

  const tokensBefore = blocks.reduce((sum, b) => sum + b.tokensBefore, 0);
  const tokensAfter = blocks.reduce((sum, b) => sum + b.tokensAfter, 0);
  return {
    messages: result,
    changed,
    originals: [...originals].map(([id, text]) => ({ id, text })),
    stats: { blocks, tokensBefore, tokensAfter, ms: performance.now() - started },
  };
}

const NO_STATS = (): CompressStats => ({ blocks: [], tokensBefore: 0, tokensAfter: 0, ms: 0 });

/**
 * Compress the tool outputs in a list of messages (Anthropic Messages, OpenAI Chat, OpenAI
 * Responses input items or Gemini contents). The input is never mutated; unchanged parts keep their identity.
 */
export function compress<M = unknown>(
  messages: readonly M[],
  options: CompressOptions = {},
): CompressResult<M> {
  const format = options.format && options.format !== 'auto' ? options.format : detectFormat(messages);
  try {
    const out = compressMessages(PROVIDERS[format], messages, options);
    return { messages: out.messages as M[], stats: out.stats, originals: out.originals };
  } catch {
    // Same guard as compressRequestBody: a shape nobody expected (nesting past the stack) goes out whole.
    return { messages: messages.slice(), stats: NO_STATS(), originals: [] };
  }
}

/**
 * Compress a whole request body of the given wire format: only the tool outputs in its
 * messages/input change; every other key keeps its value and its place. Never throws: a body it
 * cannot read comes back unchanged with the error in the stats.
 */
export function compressRequestBody(
  format: WireFormat,
  body: unknown,
  options: CompressOptions = {},
): CompressBodyResult {
  const provider = PROVIDERS[format];
  const unchanged = (stats: CompressStats = NO_STATS()): CompressBodyResult => ({
    body,
    changed: false,
    stats,
    originals: [],
  });
  const messages = isObject(body) ? body[provider.messagesKey] : undefined;
  if (!isObject(body) || !Array.isArray(messages)) return unchanged();
  const model = options.model ?? (typeof body.model === 'string' ? body.model : undefined);
  try {
    const out = compressMessages(provider, messages, { ...options, model });
    if (!out.changed) return unchanged(out.stats);
    return {
      body: replaceKey(body, provider.messagesKey, out.messages),
      changed: true,
      stats: out.stats,
      originals: out.originals,
    };
  } catch {
    // compressMessages fails open per block; this guards the walk itself on shapes nobody expected.
    return unchanged();
  }
}

function replaceKey(body: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  // fromEntries defines own keys, so a `__proto__` key from the wire stays a key instead of a prototype.
  return Object.fromEntries(Object.keys(body).map((k) => [k, k === key ? value : body[k]]));
}
