// Kompress: long prose (docs, issue threads, web pages, chat logs) shortened word by word by a local
// token-classification model (LLMLingua-2 or Kompress ONNX export) that scores each token's keep-probability.
// Words the model must never drop (numbers, ids, paths, names, negations) stay whatever it says; what is
// kept reads in its original order and spacing. It takes a block only where it beats the extractive text
// rules; without a model, or with one that failed, the text rules run.

import { stem } from '../query.js';
import type { KompressSettings, Transform, TransformContext, TransformSettings } from '../types.js';
import { type KompressModel, loadModel } from './kompress-model.js';
import { text } from './text.js';

/** Words per chunk the model reads at once (cut shorter when their tokens pass the model's length). */
export const CHUNK_WORDS = 350;
/** Chunks sent in one run. */
const BATCH_CHUNKS = 8;
/** Texts shorter than this are left to the text rules: too little to gain. */
const MIN_CHARS = 1500;
/**
 * The deterministic work budget of one block: past this many characters or words the model is not run and
 * the text rules take the block, so a block's cost is bounded by its size alone, on every machine alike.
 */
export const MAX_BLOCK_CHARS = 256 * 1024;
export const MAX_BLOCK_WORDS = 40_000;
const DEFAULT_THRESHOLD = 0.5;

/** One word of the text and the whitespace before it. */
export interface Word {
  text: string;
  gap: string;
}

/** The text as words, each with the whitespace before it (what trails the last word is not kept). */
export function wordsOf(text: string): Word[] {
  const words: Word[] = [];
  const pattern = /\S+/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    words.push({ text: match[0], gap: text.slice(last, match.index) });
    last = match.index + match[0].length;
  }
  return words;
}

const NEGATIONS_AND_MODALS = new Set(
  (
    'not no nor never none nothing nobody neither cannot without unless except only must mustn should ' +
    "shouldn shall can't cannot won't don't doesn't didn't isn't aren't wasn't weren't hasn't haven't " +
    'may might always required forbidden deprecated warning error fail failed fails'
  ).split(' '),
);

const URL = /^[a-z][a-z0-9+.-]*:\/\/|^www\./i;
const PATH = /[/\\]|^~/;
const FLAG = /^--?[A-Za-z0-9]/;
const HEX_ID = /^(0x)?[0-9a-f]{7,}$/i;
const CAMEL = /[a-z][A-Z]|[A-Z]{2}[a-z]/;
const DOTTED = /\w\.\w/;
const ALLCAPS = /^[A-Z][A-Z0-9_]+$/;
const CODE_MARKS = /[`=<>{}[\]@#$|*]|::|\(\)/;

/** A word without the punctuation that opens or closes a sentence or a parenthesis around it. */
const core = (word: string) => word.replace(/^[("'«“‘[]+|[)"'»”’\],.;:!?]+$/g, '');

/**
 * Words kept whatever the model says: numbers, hex ids, paths, URLs, identifiers (CamelCase, snake_case,
 * dotted), flags, ALLCAPS, code marks, the query's terms, and negations and modal words, whose loss turns
 * a sentence's meaning around.
 */
export function mustKeep(word: string, queryTerms: ReadonlySet<string>): boolean {
  const bare = core(word);
  if (bare === '') return false;
  if (/\d/.test(bare) || HEX_ID.test(bare) || URL.test(bare) || PATH.test(bare) || FLAG.test(bare))
    return true;
  if (bare.includes('_') || CAMEL.test(bare) || DOTTED.test(bare) || CODE_MARKS.test(bare)) return true;
  if (ALLCAPS.test(bare)) return true;
  const lower = bare.toLowerCase();
  if (NEGATIONS_AND_MODALS.has(lower) || lower.endsWith("n't")) return true;
  return queryTerms.size > 0 && queryTerms.has(stem(lower.replace(/[^a-z0-9]/g, '')));
}

/**
 * Each word's keep-probability: the mean of its tokens' scores (LLMLingua-2's own rule; a word split in many
 * pieces is judged by all of them, not its likeliest one). Chunks of CHUNK_WORDS words, cut earlier where
 * their tokens would pass the model's length; a single word longer than that is scored by its first tokens.
 */
export function wordScores(words: readonly string[], model: KompressModel): number[] {
  const ids = new Map<string, readonly number[]>();
  const idsOf = (word: string) => {
    let found = ids.get(word);
    if (!found) {
      found = model.wordIds(word).slice(0, model.maxLength);
      ids.set(word, found);
    }
    return found;
  };
  // Chunks as [first word, end word) with their token ids.
  const chunks: { start: number; end: number; ids: number[] }[] = [];
  let current = { start: 0, end: 0, ids: [] as number[] };
  words.forEach((word, index) => {
    const wordIds = idsOf(word);
    const full =
      index - current.start >= CHUNK_WORDS || current.ids.length + wordIds.length > model.maxLength;
    if (full && current.end > current.start) {
      chunks.push(current);
      current = { start: index, end: index, ids: [] };
    }
    current.ids.push(...wordIds);
    current.end = index + 1;
  });
  if (current.end > current.start) chunks.push(current);

  const scores = new Array<number>(words.length).fill(1);
  for (let first = 0; first < chunks.length; first += BATCH_CHUNKS) {
    const batch = chunks.slice(first, first + BATCH_CHUNKS);
    const keep = model.score(batch.map((chunk) => chunk.ids));
    batch.forEach((chunk, row) => {
      const tokens = keep[row] as Float32Array;
      let at = 0;
      for (let index = chunk.start; index < chunk.end; index++) {
        const count = idsOf(words[index] as string).length;
        // A word the tokenizer gives no token for has nothing to judge it by: it stays.
        if (count === 0) continue;
        let sum = 0;
        for (let k = 0; k < count; k++) sum += tokens[at + k] as number;
        scores[index] = sum / count;
        at += count;
      }
    });
  }
  return scores;
}

/** Which words stay: every must-keep word, and those scored at the threshold or, with a ratio, the best. */
export function keptWords(
  scores: readonly number[],
  forced: readonly boolean[],
  settings: Pick<KompressSettings, 'targetRatio' | 'threshold'>,
): boolean[] {
  if (settings.targetRatio === undefined) {
    const threshold = settings.threshold ?? DEFAULT_THRESHOLD;
    return scores.map((score, i) => forced[i] === true || score >= threshold);
  }
  const kept = forced.map((keep) => keep);
  let left = Math.ceil(settings.targetRatio * scores.length) - kept.filter(Boolean).length;
  // Best scores first, earlier words first among equals: the same choice on every run.
  const ranked = scores
    .map((score, index) => ({ score, index }))
    .filter(({ index }) => !kept[index])
    .sort((a, b) => b.score - a.score || a.index - b.index);
  for (const { index } of ranked) {
    if (left-- <= 0) break;
    kept[index] = true;
  }
  return kept;
}

const newlines = (gap: string) => gap.split('\n').length - 1;

/**
 * The kept words in order, each after its own whitespace; where words were dropped, the line breaks of the
 * dropped stretch stay (the gap with the most of them, the later among equals, so the next line's indent
 * comes too), else one space. The text's leading whitespace stays; trailing whitespace goes (the marker follows).
 */
export function reassemble(words: readonly Word[], kept: readonly boolean[]): string {
  let out = '';
  let widest: string | undefined;
  let skipped = false;
  words.forEach((word, i) => {
    widest = widest === undefined || newlines(word.gap) >= newlines(widest) ? word.gap : widest;
    if (!kept[i]) {
      skipped = true;
      return;
    }
    const gap =
      out === '' ? (words[0]?.gap ?? '') : !skipped ? word.gap : newlines(widest) > 0 ? widest : ' ';
    out += gap + word.text;
    widest = undefined;
    skipped = false;
  });
  return out;
}

type Loaded = { model: KompressModel } | { failed: string };

/** Models by their setting, loaded once per process; a model whose run failed is given up here. */
const models = new Map<string, Promise<Loaded>>();
const settled = new Map<string, Loaded>();

function load(setting: string): Promise<Loaded> {
  let loading = models.get(setting);
  if (!loading) {
    loading = loadModel(setting).then(
      (model): Loaded => ({ model }),
      (error: Error): Loaded => ({ failed: error.message }),
    );
    loading.then((loaded) => settled.set(setting, loaded));
    models.set(setting, loading);
  }
  return loading;
}

/** The settings in force: none when the scorer is off or has no model. */
function active(settings: TransformSettings | undefined): KompressSettings | undefined {
  const kompress = settings?.kompress;
  if (!kompress || kompress.mode === 'off' || !kompress.model) return undefined;
  return kompress;
}

/** Kompress's own work on one text, for callers that know it is prose (the engine goes through `compress`). */
export function compressProse(
  source: string,
  model: KompressModel,
  ctx: Pick<TransformContext, 'query'>,
  settings: Pick<KompressSettings, 'targetRatio' | 'threshold'>,
  /** Give up before running the model when what must stay is already this long or longer. */
  toBeat = Number.POSITIVE_INFINITY,
): { text: string; dropped: number; words: number } | undefined {
  const words = wordsOf(source);
  if (words.length === 0 || words.length > MAX_BLOCK_WORDS) return undefined;
  const terms = new Set(ctx.query.terms);
  const forced = words.map((word) => mustKeep(word.text, terms));
  const floor = words.reduce((sum, word, i) => (forced[i] ? sum + word.text.length + 1 : sum), 0);
  if (floor >= toBeat) return undefined;
  const scores = wordScores(
    words.map((word) => word.text),
    model,
  );
  const kept = keptWords(scores, forced, settings);
  const dropped = kept.filter((keep) => !keep).length;
  if (dropped === 0) return undefined;
  return { text: reassemble(words, kept), dropped, words: words.length };
}

/** Prose, as opposed to a listing or a table that reached the text kind: most words are plain words. */
function isProse(source: string): boolean {
  const sample = source.slice(0, 20_000).split(/\s+/).filter(Boolean);
  const plain = sample.filter((word) => /^[\p{L}][\p{Ll}'’-]*[,.;:!?)]?$/u.test(word)).length;
  return sample.length >= 50 && plain >= sample.length * 0.5;
}

export const kompress: Transform = {
  name: 'kompress',
  kinds: ['text'],
  // Never claims a block: the text detector names prose, and this transform is tried first for it.
  detect: () => false,
  async init(settings) {
    const kompress = settings?.kompress;
    if (!settings) return;
    if (kompress?.mode === 'off') {
      settings.notice({
        level: 'debug',
        message: 'kompress: off (HEADROOM_KOMPRESS=off); the text rules run',
      });
      return;
    }
    if (!kompress?.model) {
      settings.notice({
        level: kompress?.mode === 'on' ? 'warn' : 'debug',
        message: 'kompress: no model configured (set HEADROOM_KOMPRESS_MODEL); the text rules run',
      });
      return;
    }
    const loaded = await load(kompress.model);
    if ('failed' in loaded)
      settings.notice({ level: 'warn', message: `kompress: ${loaded.failed}; the text rules run` });
  },
  compress(source, ctx) {
    const settings = active(ctx.settings);
    if (!settings?.model || source.length < MIN_CHARS || source.length > MAX_BLOCK_CHARS) return undefined;
    const loaded = settled.get(settings.model);
    if (!loaded || 'failed' in loaded || !isProse(source)) return undefined;
    // Used where the extractive rules cannot do better: their result, when shorter, is what the block gets.
    const rules = text.compress(source, ctx)?.text.length ?? Number.POSITIVE_INFINITY;
    let result: ReturnType<typeof compressProse>;
    try {
      result = compressProse(source, loaded.model, ctx, settings, rules);
    } catch (error) {
      // A run that fails once will again: the scorer is given up for this process, said once.
      settled.set(settings.model, { failed: (error as Error).message });
      ctx.settings?.notice({
        level: 'warn',
        message: `kompress: ${(error as Error).message}; switched off, the text rules run`,
      });
      return undefined;
    }
    if (!result || result.text.length >= rules) return undefined;
    return {
      text: result.text,
      summary: `${result.dropped} of ${result.words} words dropped by the kompress model`,
    };
  },
};
