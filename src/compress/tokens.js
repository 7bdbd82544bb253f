// Token counting with js-tiktoken's tables: o200k_base for OpenAI models, cl100k_base as the estimate for
// others. Splitting and merging are done here, every piece bounded, so the cost grows linearly with the
// text whatever it holds (js-tiktoken's own encode took a minute on 32 KB without a space).
// Plain JavaScript, so the proxy's counting thread can load it as it is, from the sources as from the build.

import { createRequire } from 'node:module';
import { countMergedTokens } from './byte-pairs.js';
import { rankTableOf } from './rank-table.js';

/** @typedef {'o200k_base' | 'cl100k_base'} EncodingName */

/**
 * An encoding as counting needs it: the pre-tokenization pattern, the special tokens, the merge ranks.
 * @typedef {{ pieces: RegExp, special: RegExp, ranks: import('./rank-table.js').RankTable }} Encoding
 */

/**
 * The longest piece, in UTF-16 code units, handed to the byte-pair merge as it is.
 *
 * The tokenizer first splits text into pieces with its own pattern (a word with the space before it, up to
 * three digits, a run of punctuation, a run of spaces) and merges bytes only within a piece. Pieces of real
 * text are short; a long one is a run with no boundary in it (a line of `=`, a blob of letters, a block of
 * NUL bytes). Such a piece is cut into consecutive chunks of MAX_PIECE code units (one less where a cut
 * would split a surrogate pair), each counted as a piece of its own. The merge then never joins bytes
 * across a cut, so each cut moves the count by a token or so (under one on average for a run of mixed
 * letters, none for a run of one character), and a text with no piece this long is counted exactly as the
 * tokenizer counts it. Both the cut and the count are functions of the text alone, so counts repeat.
 */
export const MAX_PIECE = 512;

/** How many distinct chunks of one long piece are remembered. */
const SEEN_CHUNKS = 64;

const require = createRequire(import.meta.url);
/** @type {Map<EncodingName, Encoding>} */
const encodings = new Map();

/**
 * @param {string} text
 * @returns {string}
 */
const escapeRegExp = (text) => text.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');

/**
 * @param {EncodingName} name
 * @returns {Encoding}
 */
function encoding(name) {
  let loaded = encodings.get(name);
  if (!loaded) {
    const file = require.resolve(`js-tiktoken/ranks/${name}`);
    const module = require(file);
    // The table's text is read once: the module cache would keep its megabytes alive in every thread.
    delete require.cache[file];
    /** @type {{ pat_str: string, special_tokens: Record<string, number>, bpe_ranks: string }} */
    const table = 'default' in module ? module.default : module;
    const ranks = rankTableOf(table.bpe_ranks);
    loaded = {
      pieces: new RegExp(table.pat_str, 'gu'),
      special: new RegExp(Object.keys(table.special_tokens).map(escapeRegExp).join('|'), 'g'),
      ranks,
    };
    encodings.set(name, loaded);
  }
  return loaded;
}

/**
 * The encoding headroom uses to count tokens for a model: o200k_base for OpenAI models, else cl100k_base.
 * @param {string} [model]
 * @returns {EncodingName}
 */
export function encodingFor(model) {
  if (!model) return 'cl100k_base';
  return /^(gpt-4o|gpt-4\.1|gpt-5|o\d|chatgpt|codex|gpt-oss)/i.test(model) ? 'o200k_base' : 'cl100k_base';
}

const ASCII = /^[\0-\x7f]*$/;

/**
 * @param {string} piece
 * @param {import('./rank-table.js').RankTable} ranks
 */
function countPiece(piece, ranks) {
  // Lone surrogates become U+FFFD here, as they do in the tokenizer's own TextEncoder.
  const bytes = ASCII.test(piece) ? piece : Buffer.from(piece, 'utf8').toString('latin1');
  return ranks.rank(bytes) >= 0 ? 1 : countMergedTokens(bytes, ranks);
}

/**
 * @param {string} piece
 * @param {import('./rank-table.js').RankTable} ranks
 */
function countLongPiece(piece, ranks) {
  // A long run usually repeats itself (a line of `=`, a block of NUL bytes): count each chunk once.
  /** @type {Map<string, number>} */
  const seen = new Map();
  let total = 0;
  for (let start = 0; start < piece.length; ) {
    let end = Math.min(start + MAX_PIECE, piece.length);
    const last = piece.charCodeAt(end - 1);
    if (end < piece.length && last >= 0xd800 && last <= 0xdbff) end--;
    const chunk = piece.slice(start, end);
    let tokens = seen.get(chunk);
    if (tokens === undefined) {
      tokens = countPiece(chunk, ranks);
      if (seen.size < SEEN_CHUNKS) seen.set(chunk, tokens);
    }
    total += tokens;
    start = end;
  }
  return total;
}

/**
 * @param {string} text text with no special token in it
 * @param {Encoding} enc
 */
function countOrdinary(text, enc) {
  let total = 0;
  for (const [piece] of text.matchAll(enc.pieces)) {
    total += piece.length > MAX_PIECE ? countLongPiece(piece, enc.ranks) : countPiece(piece, enc.ranks);
  }
  return total;
}

/**
 * Count the tokens of `text` as the model's tokenizer would (an estimate for non-OpenAI models); special
 * tokens such as `<|endoftext|>` count one each. Never throws, whatever the text holds.
 * Pass an encoding name instead of a model to choose the tokenizer directly.
 * @param {string} text
 * @param {string} [model] a model name, or an encoding name
 * @returns {number}
 */
export function countTokens(text, model) {
  if (text.length === 0) return 0;
  /** @type {EncodingName} */
  const name = model === 'o200k_base' || model === 'cl100k_base' ? model : encodingFor(model);
  const enc = encoding(name);
  let total = 0;
  let start = 0;
  for (const special of text.matchAll(enc.special)) {
    total += countOrdinary(text.slice(start, special.index), enc) + 1;
    start = special.index + special[0].length;
  }
  return total + countOrdinary(text.slice(start), enc);
}

/**
 * The tokens taken for `chars` characters where counting them is not worth its time (a stub, a note, a
 * figure for the stats): a quarter of the characters, rounded up; 0 for none.
 * @param {number} chars
 * @returns {number}
 */
export function estimateTokens(chars) {
  return Math.ceil(Math.max(0, chars) / 4);
}
