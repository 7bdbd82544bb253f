// Token counting with js-tiktoken: o200k_base for OpenAI models, cl100k_base as the estimate for others.
// Encoders load lazily and are cached; long texts are counted in line-aligned chunks to keep it fast.

import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';

export type EncodingName = 'o200k_base' | 'cl100k_base';

const require = createRequire(import.meta.url);
const encoders = new Map<EncodingName, Tiktoken>();

function encoder(name: EncodingName): Tiktoken {
  let enc = encoders.get(name);
  if (!enc) {
    const ranks = require(`js-tiktoken/ranks/${name}`) as TiktokenBPE | { default: TiktokenBPE };
    enc = new Tiktoken('default' in ranks ? ranks.default : ranks);
    encoders.set(name, enc);
  }
  return enc;
}

/** The encoding headroom uses to count tokens for a model: o200k_base for OpenAI models, else cl100k_base. */
export function encodingFor(model?: string): EncodingName {
  if (!model) return 'cl100k_base';
  return /^(gpt-4o|gpt-4\.1|gpt-5|o\d|chatgpt|codex|gpt-oss)/i.test(model) ? 'o200k_base' : 'cl100k_base';
}

const CHUNK = 16 * 1024;

/**
 * Count the tokens of `text` as the model's tokenizer would (an estimate for non-OpenAI models).
 * Pass an encoding name instead of a model to choose the tokenizer directly.
 */
export function countTokens(text: string, model?: string | EncodingName): number {
  if (text.length === 0) return 0;
  const name: EncodingName = model === 'o200k_base' || model === 'cl100k_base' ? model : encodingFor(model);
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
