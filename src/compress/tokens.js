// Token counting with js-tiktoken: o200k_base for OpenAI models, cl100k_base as the estimate for others.
// Encoders load lazily and are cached; long texts are counted in line-aligned chunks to keep it fast.
// Plain JavaScript, so the proxy's counting thread can load it as it is, from the sources as from the build.

import { createRequire } from 'node:module';
import { Tiktoken } from 'js-tiktoken/lite';

/** @typedef {'o200k_base' | 'cl100k_base'} EncodingName */

const require = createRequire(import.meta.url);
/** @type {Map<EncodingName, Tiktoken>} */
const encoders = new Map();

/** @param {EncodingName} name */
function encoder(name) {
  let enc = encoders.get(name);
  if (!enc) {
    const ranks = require(`js-tiktoken/ranks/${name}`);
    enc = new Tiktoken('default' in ranks ? ranks.default : ranks);
    encoders.set(name, enc);
  }
  return enc;
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

const CHUNK = 16 * 1024;

/**
 * Count the tokens of `text` as the model's tokenizer would (an estimate for non-OpenAI models).
 * Pass an encoding name instead of a model to choose the tokenizer directly.
 * @param {string} text
 * @param {string} [model] a model name, or an encoding name
 * @returns {number}
 */
export function countTokens(text, model) {
  if (text.length === 0) return 0;
  /** @type {EncodingName} */
  const name = model === 'o200k_base' || model === 'cl100k_base' ? model : encodingFor(model);
  const enc = encoder(name);
  if (text.length <= CHUNK) return enc.encode(text, 'all').length;
  let total = 0;
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + CHUNK, text.length);
    if (end < text.length) {
      // Cut just after a newline that starts a non-blank line, where the tokenizer splits anyway.
      const cut = text.indexOf('\n', end);
      end = cut === -1 ? text.length : cut + 1;
    }
    total += enc.encode(text.slice(start, end), 'all').length;
    start = end;
  }
  return total;
}
