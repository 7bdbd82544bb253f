// Token counting: exactly the tokenizer's count on real text, and a number in time, never a throw, for the
// long runs without a boundary that made the tokenizer's own merge take minutes.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { countTokens, type EncodingName, MAX_PIECE } from './tokens.js';

const require = createRequire(import.meta.url);
const ENCODINGS: EncodingName[] = ['cl100k_base', 'o200k_base'];

const tokenizers = new Map<EncodingName, Tiktoken>();

/** js-tiktoken's own count, for texts small enough for its merge. */
function tokenizerCount(text: string, name: EncodingName): number {
  let tokenizer = tokenizers.get(name);
  if (!tokenizer) {
    const ranks = require(`js-tiktoken/ranks/${name}`) as TiktokenBPE | { default: TiktokenBPE };
    tokenizer = new Tiktoken('default' in ranks ? ranks.default : ranks);
    tokenizers.set(name, tokenizer);
  }
  return tokenizer.encode(text, 'all').length;
}

const packageFile = (path: string) => readFileSync(join(process.cwd(), 'node_modules', path), 'utf8');

// Real text of several shapes: English prose, code, JSON, and prose in scripts without spaces between words.
const REAL_TEXTS: Record<string, string> = {
  'undici README': packageFile('undici/README.md'),
  'undici client-h1.js': packageFile('undici/lib/dispatcher/client-h1.js'),
  'typescript lib.es5.d.ts (first 100 KB)': packageFile('typescript/lib/lib.es5.d.ts').slice(0, 100_000),
  'zod package.json': packageFile('zod/package.json'),
  'typescript messages in Japanese (first 30 KB)': packageFile(
    'typescript/lib/ja/diagnosticMessages.generated.json',
  ).slice(0, 30_000),
  'typescript messages in Chinese (first 30 KB)': packageFile(
    'typescript/lib/zh-cn/diagnosticMessages.generated.json',
  ).slice(0, 30_000),
};

describe('countTokens', () => {
  // Loading both tokenizers' tables, theirs and ours, takes seconds on a busy machine: once, up front.
  beforeAll(() => {
    for (const encoding of ENCODINGS) {
      countTokens('warm up', encoding);
      tokenizerCount('warm up', encoding);
    }
  }, 60_000);

  for (const [name, text] of Object.entries(REAL_TEXTS)) {
    it(`counts ${name} exactly as the tokenizer does`, () => {
      for (const encoding of ENCODINGS)
        expect(countTokens(text, encoding)).toBe(tokenizerCount(text, encoding));
    });
  }

  it('counts special tokens, lone surrogates and NUL bytes in short text as the tokenizer does', () => {
    const text = 'done<|endoftext|>next \ud800 half a pair, \udc00 the other\0\0 end\r\n\t  ';
    for (const encoding of ENCODINGS)
      expect(countTokens(text, encoding)).toBe(tokenizerCount(text, encoding));
  });

  it('counts a run of letters one piece long as the tokenizer does, and a longer one within a token a cut', () => {
    const letters = 'qwertyuiopasdfghjklzxcvbnm';
    const cuts = 1;
    const run = Array.from({ length: (cuts + 1) * MAX_PIECE }, (_, i) => letters[(i * i + 3 * i) % 26]).join(
      '',
    );
    const piece = run.slice(0, MAX_PIECE);
    for (const encoding of ENCODINGS) {
      expect(countTokens(piece, encoding)).toBe(tokenizerCount(piece, encoding));
      expect(Math.abs(countTokens(run, encoding) - tokenizerCount(run, encoding))).toBeLessThanOrEqual(cuts);
    }
  });

  it('counts a 1 MB run of x and a 1 MB run of =', () => {
    for (const encoding of ENCODINGS) {
      expect(countTokens('x'.repeat(1 << 20), encoding)).toBe((1 << 20) / 8);
      expect(countTokens('='.repeat(1 << 20), encoding)).toBeGreaterThan(0);
    }
  });

  it('counts 2 MB of NUL bytes without throwing', () => {
    for (const encoding of ENCODINGS) expect(countTokens('\0'.repeat(2 << 20), encoding)).toBeGreaterThan(0);
  });

  it('counts a run of lone surrogates without throwing', () => {
    for (const encoding of ENCODINGS)
      expect(countTokens('\ud800'.repeat(100_000), encoding)).toBeGreaterThan(0);
  });

  it('counts a 10 MB single line', () => {
    // Minified-looking: real code with its line breaks taken out, and a long base64-like run in between.
    const code = REAL_TEXTS['undici client-h1.js']?.replace(/\s*\n\s*/g, ' ') ?? '';
    const blob = Array.from({ length: 200_000 }, (_, i) => 'AbCdEfGhIjKlMnOpQrStUvWxYz'[(i * 7) % 26]).join(
      '',
    );
    let line = '';
    while (line.length < 10 << 20) line += code + blob;
    expect(line).not.toContain('\n');
    expect(countTokens(line, 'o200k_base')).toBeGreaterThan(line.length / 10);
  }, 60_000);

  it('gives the same count every time', () => {
    const text = `${'='.repeat(5000)}\n${REAL_TEXTS['undici README']}${'\0'.repeat(3000)}`;
    expect(countTokens(text, 'o200k_base')).toBe(countTokens(text, 'o200k_base'));
  });
});
