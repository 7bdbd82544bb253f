// The merge ranks in typed arrays: every token of both tables found at its rank, bytes that are no token
// not found, and a lookup of a range inside a longer piece the same as of that range alone.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { rankTableOf } from './rank-table.js';

const require = createRequire(import.meta.url);

/** The table's tokens as latin1 strings with their ranks, decoded line by line with Buffer's base64. */
function tokensOf(text: string): [string, number][] {
  const tokens: [string, number][] = [];
  for (const line of text.split('\n')) {
    const [, first, ...encoded] = line.split(' ');
    encoded.forEach((token, i) => {
      tokens.push([Buffer.from(token, 'base64').toString('latin1'), Number(first) + i]);
    });
  }
  return tokens;
}

describe('rankTableOf', () => {
  for (const name of ['cl100k_base', 'o200k_base']) {
    it(`finds every token of ${name} at its rank, and nothing else`, () => {
      const module = require(`js-tiktoken/ranks/${name}`) as
        | { bpe_ranks: string }
        | { default: { bpe_ranks: string } };
      const text = 'default' in module ? module.default.bpe_ranks : module.bpe_ranks;
      const table = rankTableOf(text);
      const tokens = tokensOf(text);
      expect(tokens.length).toBeGreaterThan(99_000);
      const wrong = tokens.filter(([bytes, rank]) => table.rank(bytes) !== rank);
      expect(wrong).toEqual([]);
      const known = new Set(tokens.map(([bytes]) => bytes));
      for (const bytes of [
        '\u00ff\u00fe\u00fd\u00fc',
        'zzzzzzzzzzzzzzzzzzzzzzzz',
        '',
        ' the quick brown fox',
      ]) {
        expect(known.has(bytes)).toBe(false);
        expect(table.rank(bytes)).toBe(-1);
      }
    });
  }

  it('looks up a range of a piece as that range on its own', () => {
    const module = require('js-tiktoken/ranks/cl100k_base') as {
      default?: { bpe_ranks: string };
      bpe_ranks?: string;
    };
    const table = rankTableOf(module.default?.bpe_ranks ?? module.bpe_ranks ?? '');
    const piece = 'xx hello world yy';
    expect(table.rank(piece, 2, 8)).toBe(table.rank(' hello'));
    expect(table.rank(piece, 2, 8)).toBeGreaterThanOrEqual(0);
    expect(table.rank(piece, 0, 0)).toBe(-1);
  });
});
