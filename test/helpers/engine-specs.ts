// What the engine promises on any set of real outputs, each item's question as the query: specified once,
// run on the shared corpus and on the outputs made at run time.

import { expect, it } from 'vitest';
import { MARKER_PATTERN } from '../../src/compress/marker.js';
import type { CorpusItem } from './corpus.js';
import { compressText } from './engine.js';
import { genericRetention, structuralNeedles } from './generic-questions.js';

/** The engine on one output as the proxy runs it, without the memo, so every call computes afresh. */
export const compressForModel = (text: string, query = '') =>
  compressText(text, { query, memo: false, tokenCounting: 'estimate' });

/** Needles kept verbatim, never longer, the same bytes twice, JSON still valid and source files outlined. */
export function specifyTheEngineOn(items: readonly CorpusItem[]) {
  for (const item of items) {
    it(`keeps every needle of ${item.name} in what the model sees`, () => {
      const out = compressForModel(item.text, item.question).text;
      expect(item.needles.filter((n) => !out.includes(n))).toEqual([]);
    });
  }

  it('never returns more than it was given and gives the same bytes on a second run', () => {
    for (const item of items) {
      const first = compressForModel(item.text, item.question);
      expect(first.text.length, item.name).toBeLessThanOrEqual(item.text.length);
      expect(compressForModel(item.text, item.question).text, item.name).toBe(first.text);
    }
  });

  it('keeps JSON valid: the output minus its marker line parses', () => {
    const json = items.filter((i) => i.category === 'json');
    expect(json.length).toBeGreaterThan(0);
    for (const item of json) {
      const lines = compressForModel(item.text, item.question).text.split('\n');
      expect(lines.at(-1), item.name).toMatch(MARKER_PATTERN);
      expect(() => JSON.parse(lines.slice(0, -1).join('\n')), item.name).not.toThrow();
    }
  });

  it('outlines source code: the code transform shortens it, and each note names lines the file has', () => {
    const code = items.filter((i) => i.category === 'code');
    expect(code.length).toBeGreaterThan(0);
    for (const item of code) {
      const result = compressForModel(item.text, item.question);
      expect(result.transform, item.name).toBe('code');
      const lineCount = item.text.split('\n').length;
      for (const note of result.text.matchAll(
        / lines (\d+)-(\d+)\b[^\n]* elided \(Read offset=(\d+) limit=(\d+)/g,
      )) {
        const [first, last, offset, limit] = note.slice(1).map(Number) as [number, number, number, number];
        expect([offset, limit], item.name).toEqual([first, last - first + 1]);
        expect(last, item.name).toBeLessThanOrEqual(lineCount);
      }
    }
  });
}

/**
 * With a generic question ("what went wrong here") in place of each item's own, at least `floor` of the
 * structural needles (errors, statuses, exit lines, totals) stay, for every such question.
 */
export function specifyGenericQuestions(items: readonly CorpusItem[], floor = 0.95) {
  it('has structural facts to keep: errors, statuses, exit lines and totals', () => {
    expect(items.flatMap(structuralNeedles).length).toBeGreaterThan(20);
  });

  const results = genericRetention(items, (text, question) => compressForModel(text, question).text);
  for (const { question, kept, total, missing } of results) {
    it(`keeps at least ${Math.round(floor * 100)}% of them when asked "${question}"`, () => {
      expect(kept / total, `kept ${kept} of ${total}; lost ${missing.join(' | ')}`).toBeGreaterThanOrEqual(
        floor,
      );
    });
  }
}
