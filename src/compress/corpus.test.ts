// The engine's figures on the shared corpus of real tool outputs: the reduction each category holds and
// every needle kept. Corpus-only; the same promises on generated outputs are in real-outputs.test.ts.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { corpusItems, describeWithCorpus } from '../../test/helpers/corpus.js';
import { engine } from '../../test/helpers/engine.js';
import {
  compressForModel,
  specifyGenericQuestions,
  specifyTheEngineOn,
} from '../../test/helpers/engine-specs.js';
import { measureItems, totals } from '../perf/measure.js';
import { MARKER_PATTERN } from './marker.js';

describeWithCorpus('on every corpus item, with its question as the query', () => {
  specifyTheEngineOn(corpusItems());
});

describeWithCorpus('on every corpus item, with a generic question as the query', () => {
  specifyGenericQuestions(corpusItems());
});

describeWithCorpus('reduction on the corpus (o200k_base tokens, each question as the query)', () => {
  // Floors sit just under the figures `npm run bench:compress` prints, so a regression fails here.
  const rows = measureItems(engine, corpusItems());
  const byCategory = new Map(totals(rows).map((t) => [t.category, t]));
  const floors: Array<[string, number]> = [
    ['logs', 0.89],
    ['json', 0.83],
    ['search', 0.74],
    ['build', 0.62],
    ['diff', 0.93],
    ['shell', 0.85],
    ['text', 0.82],
    ['overall', 0.86],
  ];
  for (const [category, floor] of floors) {
    it(`shrinks ${category} by at least ${Math.round(floor * 100)}% and keeps every needle`, () => {
      const total = byCategory.get(category);
      expect(total?.reduction).toBeGreaterThanOrEqual(floor);
      expect(total?.retention).toBe(1);
    });
  }

  const itemFloors: Array<[string, number]> = [
    ['log-bgl-2k.log', 0.85],
    ['log-android-2k.log', 0.85],
    ['diff-semver-7.5.4-7.6.0.diff', 0.28],
    ['search-regex-unwrap.txt', 0.8],
    ['json-npm-ls-express-project.json', 0.74],
  ];
  for (const [name, floor] of itemFloors) {
    it(`shrinks ${name} by at least ${Math.round(floor * 100)}%`, () => {
      const row = rows.find((r) => r.name === name);
      expect(1 - (row?.tokensAfter ?? 0) / (row?.tokensBefore ?? 1)).toBeGreaterThanOrEqual(floor);
    });
  }
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
      const out = compressForModel(text, 'error failed');
      expect(out.text.length).toBeLessThanOrEqual(text.length);
      if (out.originalId) expect(out.text).toMatch(MARKER_PATTERN);
    });
  }
});
