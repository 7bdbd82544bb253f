// The compression engine: shortens tool outputs with the transform for their kind, dedups repeats, and
// reports what it did. Pure and deterministic (same input and options, same bytes out); each engine owns its
// memo, so two proxies or two library users in one process never share decisions. Originals are returned,
// never stored: keeping them is the caller's job.

import { createHash } from 'node:crypto';
import { dedupKey, Repeats } from './dedup.js';
import { ENGINE_DEFAULTS } from './defaults.js';
import { sampleOf } from './detect.js';
import {
  type HistoryOutput,
  type ModelText,
  type StaleOptions,
  type StaleOutput,
  staleOutputs,
} from './history.js';
import { formatMarker, MARKER_PATTERN, originalId } from './marker.js';
import { Memo } from './memo.js';
import { numberedLines } from './numbered.js';
import { type Place, Pointers } from './pointers.js';
import { argumentText, decideRead, editsOf, pathHint, ToolPolicy, type ToolPolicyOptions } from './policy.js';
import { buildQuery } from './query.js';
import {
  type BlockStats,
  type CompressTextResult,
  type OutputsResult,
  requestStats,
  type SkipReason,
} from './results.js';
import { countTokens, encodingFor } from './tokens.js';
import { GrammarsPending, loadGrammar } from './transforms/code-grammars.js';
import type { LanguageName } from './transforms/code-languages.js';
import { detectKind, TRANSFORMS, transformsFor } from './transforms/index.js';
import type {
  Kind,
  KompressSettings,
  Notice,
  ToolOutput,
  TransformContext,
  TransformName,
  TransformSettings,
} from './types.js';

/** Settings of one call; each falls back to the engine's own. */
export interface CompressOptions {
  /** Tool outputs under this many tokens pass untouched (default 300). */
  minTokens?: number;
  /** A source file read goes to the code transform above this many lines (default 250)... */
  codeMinLines?: number;
  /** ...or this many tokens (default 3000); smaller ones pass whole. */
  codeMinTokens?: number;
  /** Characters of tool output the transforms may work through per request (default 32 MiB). */
  budgetBytes?: number;
  /** One tool output longer than this many characters passes untouched (default 8 MiB). */
  maxBlockBytes?: number;
  /** Fail-safe: ms of transform work per request past which undecided outputs pass untouched (default 2000). */
  budgetMs?: number;
  /**
   * Decision keys of outputs the time fail-safe sent whole in an earlier run (`stats.guarded`): they are
   * sent whole again, so a restarted proxy sends them as the provider has them cached.
   */
  sendWhole?: ReadonlySet<string>;
  /** Tool names whose outputs are never compressed, on top of editing tools and file reads. */
  excludeTools?: readonly string[];
  /** Transforms to switch off: json, logs, search, diff, html, text, dedup. */
  disableTransforms?: readonly string[];
  /** Model the request goes to; picks the tokenizer for the stats. */
  model?: string;
  /** `'estimate'` counts tokens as characters / 4 for speed (the proxy's hot path); default `'exact'`. */
  tokenCounting?: 'exact' | 'estimate';
}

/** How an engine is made: its default settings, plus the editing and reading tools agents declare. */
export interface EngineOptions extends CompressOptions, Omit<ToolPolicyOptions, 'excludeTools'> {
  /** Results remembered across calls (default 512). */
  memoEntries?: number;
  /** The learned text scorer (off unless a model is configured). */
  kompress?: KompressSettings;
  /**
   * `all` (default): `init()` loads every grammar of the code transform. `lazy`: each loads the first time a
   * file needs it; until then that block goes whole and `loadPending()` says to compress again.
   */
  grammars?: 'all' | 'lazy';
}

/** Options for {@link Engine.compressText}. */
export interface CompressTextOptions
  extends Pick<CompressOptions, 'disableTransforms' | 'model' | 'tokenCounting'> {
  /** What the reader is looking for; lines and items that match it are kept first. */
  query?: string;
  /** Skip detection and treat the text as this kind. */
  kind?: Kind | 'auto';
  /** Reuse the result of an identical earlier call (default true); benchmarks turn it off. */
  memo?: boolean;
  /** The file the text was read from, when it is one: its extension tells the code transform the language. */
  path?: string;
}

export interface Engine {
  /** Load what the transforms need before first use; call once before compressing. */
  init(): Promise<void>;
  /** What transforms said they could not do (a model not configured, one that failed), each once. */
  notices(): readonly Notice[];
  /** Shorten the tool outputs of one request, in conversation order (dedup looks back along the list). */
  compressOutputs(outputs: readonly ToolOutput[], options?: CompressOptions): OutputsResult;
  /** Shorten one text (a file, a command's output) for a reader with the given query. */
  compressText(text: string, options?: CompressTextOptions): CompressTextResult;
  /**
   * The outputs of a conversation that may become stubs at a history rewrite point (superseded reads and
   * commands, large old outputs), judged with this engine's tool policy.
   */
  staleOutputs(
    outputs: readonly HistoryOutput[],
    model: readonly ModelText[],
    options?: StaleOptions,
  ): StaleOutput[];
  /**
   * Load the grammars that calls since the last `loadPending()` needed and found not loaded (only with
   * `grammars: 'lazy'`; those blocks went whole): true when there were any, and those calls should be made
   * again for their real result.
   */
  loadPending(): Promise<boolean>;
}

/** What shortening one text gave. */
interface Shortened {
  text: string;
  kind: Kind;
  transform: TransformName | undefined;
  originalId: string | undefined;
  skipped: SkipReason | undefined;
}

type Counter = (text: string) => number;

function tokenCounter(options: Pick<CompressOptions, 'model' | 'tokenCounting'>): Counter {
  if (options.tokenCounting === 'estimate') return (text) => Math.ceil(text.length / 4);
  const encoding = encodingFor(options.model);
  return (text) => countTokens(text, encoding);
}

/** A file's size for the read policy: lines, and tokens estimated from characters (alike in every mode). */
function sizeOf(text: string): { lines: number; tokens: number } {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < text.length - 1; at = text.indexOf('\n', at + 1))
    lines++;
  return { lines, tokens: Math.ceil(text.length / 4) };
}

function aboveThreshold(text: string, minTokens: number, count: Counter): boolean {
  // Characters bound tokens from both sides closely enough to skip counting most blocks.
  if (text.length * 2 < minTokens) return false;
  if (text.length >= minTokens * 8) return true;
  return count(text) >= minTokens;
}

/** Everything a transform's result depends on: the text, the kind asked for and what the context says. */
function memoKey(
  text: string,
  ctx: TransformContext,
  kind: Kind | undefined,
  disabled: ReadonlySet<string>,
): string {
  const terms = ctx.query.terms.join(' ');
  const pointed = ctx.pointed?.join(',') ?? '';
  // The tool's arguments count: the code transform reads the start line of `sed -n` and the grep pattern.
  return createHash('sha256')
    .update(
      `${kind ?? ''}\u0000${terms}\u0000${ctx.pathHint ?? ''}\u0000${ctx.toolArgs ?? ''}\u0000${pointed}\u0000${[...disabled].sort().join(',')}\u0000`,
    )
    .update(text)
    .digest('hex');
}

const unchanged = (text: string, kind: Kind, skipped: SkipReason): Shortened => ({
  text,
  kind,
  transform: undefined,
  originalId: undefined,
  skipped,
});

/**
 * Shorten `text` with the transforms for its kind; the first that saves characters wins. `original` is what
 * the marker's id names when the transforms were given a view of it (a numbered read without its numbers).
 */
function shorten(
  text: string,
  ctx: TransformContext,
  kind: Kind | undefined,
  disabled: ReadonlySet<string>,
  original = text,
): Shortened {
  const detected = kind ?? detectKind(sampleOf(text));
  const candidates = transformsFor(detected);
  if (candidates.length === 0) return unchanged(text, detected, 'code');
  for (const candidate of candidates) {
    if (disabled.has(candidate.name)) continue;
    let result: ReturnType<typeof candidate.compress>;
    try {
      result = candidate.compress(text, ctx);
    } catch (error) {
      // Not remembered: the block is done again once its grammar has loaded.
      if (error instanceof GrammarsPending) throw error;
      // Fail open: content a transform cannot handle (e.g. JSON nested past the stack) goes out whole.
      return unchanged(text, detected, 'error');
    }
    if (!result) continue;
    const id = originalId(original);
    const out = `${result.text}\n${formatMarker(result.summary, id)}`;
    if (out.length >= text.length) continue;
    return { text: out, kind: detected, transform: candidate.name, originalId: id, skipped: undefined };
  }
  return unchanged(text, detected, candidates.every((c) => disabled.has(c.name)) ? 'disabled' : 'no-gain');
}

interface Unnumbered {
  /** The read's lines without their numbers. */
  body: string;
  /** What the agent appended after the numbered lines (a reminder), as it was. */
  trailer: string;
}

function unnumbered(text: string): Unnumbered | undefined {
  const numbered = numberedLines(text.split('\n'));
  if (!numbered) return undefined;
  return { body: numbered.code.join('\n'), trailer: numbered.trailer.join('\n') };
}

/** A shortened view of a numbered read, with its trailer back; unshortened, the read as it was. */
function withTrailer(shortened: Shortened, view: Unnumbered, original: string): Shortened {
  if (shortened.transform === undefined) return { ...shortened, text: original };
  const text = view.trailer.trim() === '' ? shortened.text : `${shortened.text}\n${view.trailer}`;
  return text.length < original.length
    ? { ...shortened, text }
    : unchanged(original, shortened.kind, 'no-gain');
}

/** Make an engine; `options` are its defaults, which each call may override. */
export function createEngine(options: EngineOptions = {}): Engine {
  const memo = new Memo<Shortened>(options.memoEntries ?? ENGINE_DEFAULTS.memoEntries);
  const deltas = new Memo<string | null>(options.memoEntries ?? ENGINE_DEFAULTS.memoEntries);
  // The places each big output points at, by its dedup key: a resent conversation is not read for them again.
  const places = new Memo<readonly Place[]>(options.memoEntries ?? ENGINE_DEFAULTS.memoEntries);
  const basePolicy = new ToolPolicy(options);
  let ready: Promise<void> | undefined;
  const notices: Notice[] = [];
  // Grammars a call found not loaded (lazy loading), for `loadPending()`.
  const pending = new Set<LanguageName>();
  /** Note the grammars `error` says a block waits for: true when it is that error. */
  const notePending = (error: unknown): boolean => {
    if (!(error instanceof GrammarsPending)) return false;
    for (const language of error.languages) pending.add(language);
    return true;
  };
  const settings: TransformSettings = {
    kompress: options.kompress,
    grammars: options.grammars,
    notice: (notice) => {
      if (!notices.some((known) => known.message === notice.message)) notices.push(notice);
    },
  };

  /** `shorten`, remembered: a block every turn resends is worked out once. */
  const remembered = (
    text: string,
    ctx: TransformContext,
    kind: Kind | undefined,
    disabled: ReadonlySet<string>,
    original = text,
  ): Shortened => {
    const key = memoKey(original, ctx, kind, disabled);
    return memo.get(key) ?? memo.set(key, shorten(text, ctx, kind, disabled, original));
  };

  const compressOutputs = (outputs: readonly ToolOutput[], call: CompressOptions = {}): OutputsResult => {
    const started = performance.now();
    const minTokens = call.minTokens ?? options.minTokens ?? ENGINE_DEFAULTS.minTokens;
    const budgetBytes = call.budgetBytes ?? options.budgetBytes ?? ENGINE_DEFAULTS.budgetBytes;
    const maxBlockBytes = call.maxBlockBytes ?? options.maxBlockBytes ?? ENGINE_DEFAULTS.maxBlockBytes;
    const budgetMs = call.budgetMs ?? options.budgetMs ?? ENGINE_DEFAULTS.budgetMs;
    const policy = call.excludeTools ? basePolicy.excluding(call.excludeTools) : basePolicy;
    const disabled = new Set(call.disableTransforms ?? options.disableTransforms ?? []);
    const count = tokenCounter({
      model: call.model ?? options.model,
      tokenCounting: call.tokenCounting ?? options.tokenCounting,
    });
    // What the transforms were given so far, counted alike on every machine and whatever the memo holds.
    let handled = 0;
    // Time spent in transforms only: token counting for the stats does not count towards the fail-safe.
    let workMs = 0;
    const guarded: string[] = [];
    // Files earlier calls edited: reading one again shows what the model is working on, and passes whole.
    const edited = new Set<string>();
    // Lines of files that earlier outputs named (diagnostics, stack frames, grep hits): a read of one keeps them.
    const pointers = new Pointers(places);
    const codeReads = {
      minLines: call.codeMinLines ?? options.codeMinLines ?? ENGINE_DEFAULTS.codeMinLines,
      minTokens: call.codeMinTokens ?? options.codeMinTokens ?? ENGINE_DEFAULTS.codeMinTokens,
    };
    const repeats = new Repeats(deltas);
    const originals = new Map<string, string>();
    const texts: (string | undefined)[] = [];
    const blocks: BlockStats[] = [];

    outputs.forEach((output, index) => {
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
        const policyDecision = policy.decide(output);
        for (const path of editsOf(policyDecision, output.toolArgs)) edited.add(path);
        const big = aboveThreshold(output.text, minTokens, count);
        // A file read is decided by what it holds: compressed as its kind, or passed whole.
        // A numbered read (`Read`, `cat -n`) is judged by the file's lines without their numbers.
        const numbered = policyDecision === 'file-read' && big ? unnumbered(output.text) : undefined;
        const read =
          policyDecision === 'file-read' && big
            ? decideRead(
                pathHint(output.toolArgs),
                detectKind(sampleOf(numbered?.body ?? output.text)),
                sizeOf(output.text),
                edited,
                codeReads,
              )
            : undefined;
        const forcedKind = output.kind ?? (read && 'kind' in read ? read.kind : undefined);
        // Code keeps its numbers (the code transform names the file's lines); a numbered log or data file is
        // compressed as that content, with whatever the agent appended after the lines kept after it.
        const view = numbered && forcedKind !== 'code' ? numbered : undefined;
        const decision = forcedKind && policyDecision !== 'excluded-tool' ? 'compress' : policyDecision;
        const key = big && decision === 'compress' ? dedupKey(output.text) : undefined;
        const earlier = key ? repeats.firstWith(key, output) : undefined;
        const reference = earlier && !disabled.has('dedup') ? repeats.reference(output, earlier) : undefined;
        if (read && 'skipped' in read && !output.kind) stats.skipped = read.skipped;
        else if (decision !== 'compress') stats.skipped = decision;
        else if (!big) stats.skipped = 'below-threshold';
        else if (MARKER_PATTERN.test(output.text)) stats.skipped = 'already-compressed';
        else if (reference && reference.length < output.text.length) {
          text = reference;
          stats.transform = 'dedup';
          stats.originalId = originalId(output.text);
        } else {
          const ctx: TransformContext = {
            query: buildQuery(output.userText, argumentText(output.toolArgs)),
            toolName: output.toolName,
            toolArgs: output.toolArgs,
            pathHint: pathHint(output.toolArgs),
            pointed: policyDecision === 'file-read' ? pointers.linesOf(pathHint(output.toolArgs)) : undefined,
            settings,
          };
          const decisionKey = memoKey(output.text, ctx, forcedKind, disabled);
          const tooLarge = output.text.length > maxBlockBytes;
          if (!tooLarge) handled += output.text.length;
          let shortened: Shortened;
          if (tooLarge) {
            shortened = unchanged(output.text, 'text', 'too-large');
          } else if (handled > budgetBytes) {
            shortened = unchanged(output.text, 'text', 'budget');
          } else if (call.sendWhole?.has(decisionKey)) {
            shortened = unchanged(output.text, 'text', 'guard');
          } else if (workMs > budgetMs && !memo.has(decisionKey)) {
            // The fail-safe tripped: the block goes out whole, and must on every later turn too, or the
            // provider's prompt cache misses from here on; the caller keeps the key beyond this process.
            shortened = memo.set(decisionKey, unchanged(output.text, 'text', 'guard'));
            guarded.push(decisionKey);
          } else {
            const workStart = performance.now();
            shortened = view
              ? withTrailer(remembered(view.body, ctx, forcedKind, disabled, output.text), view, output.text)
              : remembered(output.text, ctx, forcedKind, disabled);
            workMs += performance.now() - workStart;
          }
          stats.kind = shortened.kind;
          text = shortened.text;
          stats.transform = shortened.transform;
          stats.originalId = shortened.originalId;
          stats.skipped = shortened.skipped;
          const similar =
            shortened.skipped === 'budget' ||
            shortened.skipped === 'too-large' ||
            shortened.skipped === 'guard' ||
            disabled.has('dedup')
              ? undefined
              : repeats.nearDuplicate(output, key ?? dedupKey(output.text));
          if (similar && similar.length < text.length) {
            text = similar;
            stats.transform = 'dedup';
            stats.originalId = originalId(output.text);
            stats.skipped = undefined;
          }
        }
        if (key) repeats.remember(output, key);
        if (policyDecision !== 'file-read') pointers.add(output.text, key);
      } catch (error) {
        notePending(error);
        text = output.text;
        stats.transform = undefined;
        stats.originalId = undefined;
        stats.skipped = 'error';
        stats.error = (error as Error).message;
      }
      stats.tokensBefore = count(output.text);
      stats.tokensAfter = text === output.text ? stats.tokensBefore : count(text);
      if (text !== output.text) {
        texts[index] = text;
        if (stats.originalId) originals.set(stats.originalId, output.text);
      } else {
        texts[index] = undefined;
      }
      stats.ms = performance.now() - blockStart;
    });

    return {
      texts,
      originals: [...originals].map(([id, original]) => ({ id, text: original })),
      stats: requestStats(blocks, performance.now() - started, {
        budgetBytes,
        maxBlockBytes,
        budgetMs,
        guarded,
      }),
    };
  };

  const compressText = (text: string, call: CompressTextOptions = {}): CompressTextResult => {
    const count = tokenCounter({
      model: call.model ?? options.model,
      tokenCounting: call.tokenCounting ?? options.tokenCounting,
    });
    const disabled = new Set(call.disableTransforms ?? options.disableTransforms ?? []);
    const kind = call.kind && call.kind !== 'auto' ? call.kind : undefined;
    const ctx: TransformContext = { query: buildQuery(call.query ?? ''), pathHint: call.path, settings };
    let result: Shortened | undefined;
    try {
      result =
        text.length === 0
          ? undefined
          : call.memo === false
            ? shorten(text, ctx, kind, disabled)
            : remembered(text, ctx, kind, disabled);
    } catch (error) {
      if (!notePending(error)) throw error;
      result = unchanged(text, 'code', 'error');
    }
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
  };

  return {
    init() {
      ready ??= Promise.all(TRANSFORMS.map((transform) => transform.init?.(settings))).then(() => undefined);
      return ready;
    },
    notices: () => [...notices],
    compressOutputs,
    compressText,
    staleOutputs: (outputs, model, call) => staleOutputs(outputs, model, basePolicy, call),
    async loadPending() {
      if (pending.size === 0) return false;
      const languages = [...pending];
      pending.clear();
      await loadGrammar(languages);
      return true;
    },
  };
}
