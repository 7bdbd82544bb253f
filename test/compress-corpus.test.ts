import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MARKER_PATTERN } from '../src/ccr/marker.js';
import { compressText } from '../src/compress/pipeline.js';
import { corpusItems } from './helpers/corpus.js';

const run = (text: string, query = '') =>
  compressText(text, { query, memo: false, tokenCounting: 'estimate' });

describe('on every corpus item, with its question as the query', () => {
  for (const item of corpusItems()) {
    it(`keeps every needle of ${item.name} in what the model sees`, () => {
      const out = run(item.text, item.question).text;
      expect(item.needles.filter((n) => !out.includes(n))).toEqual([]);
    });
  }

  it('never returns more than it was given and gives the same bytes on a second run', () => {
    for (const item of corpusItems()) {
      const first = run(item.text, item.question);
      expect(first.text.length, item.name).toBeLessThanOrEqual(item.text.length);
      expect(run(item.text, item.question).text, item.name).toBe(first.text);
    }
  });

  it('keeps JSON valid: the output minus its marker line parses', () => {
    for (const item of corpusItems().filter((i) => i.category === 'json')) {
      const out = run(item.text, item.question).text;
      const lines = out.split('\n');
      expect(lines.at(-1), item.name).toMatch(MARKER_PATTERN);
      expect(() => JSON.parse(lines.slice(0, -1).join('\n')), item.name).not.toThrow();
    }
  });

  it('leaves source code untouched until the code transform exists', () => {
    for (const item of corpusItems().filter((i) => i.category === 'code')) {
      expect(run(item.text, item.question).text, item.name).toBe(item.text);
    }
  });
});

describe('on hostile input', () => {
  const inputs: Array<[string, string]> = [
    ['empty text', ''],
    ['random bytes', randomBytes(256 * 1024).toString('latin1')],
    ['random bytes as UTF-8', randomBytes(256 * 1024).toString('utf8')],
    ['deeply nested JSON', `${'['.repeat(5000)}1${']'.repeat(5000)}`],
    ['a 5 MB single line', 'x'.repeat(5 * 1024 * 1024)],
    ['unicode and emoji', '日本語のログ 🚀 ERROR 失敗しました\n'.repeat(3000)],
    ['JSON with a huge string', JSON.stringify({ blob: 'A'.repeat(2_000_000), ok: true })],
    ['broken JSON', `{"a": [${'1,'.repeat(50_000)}`],
  ];
  for (const [name, text] of inputs) {
    it(`does not throw on ${name} and never grows it`, () => {
      const out = run(text, 'error failed');
      expect(out.text.length).toBeLessThanOrEqual(text.length);
      if (out.originalId) expect(out.text).toMatch(MARKER_PATTERN);
    });
  }
});
