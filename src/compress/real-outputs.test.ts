// The engine on real outputs made at run time (test/helpers/real-outputs.ts): a second set, not the one it
// was tuned on, that every clone can run. Each output's question is the query, as an agent's would be.

import { describe, expect, it } from 'vitest';
import { engine } from '../../test/helpers/engine.js';
import { specifyTheEngineOn } from '../../test/helpers/engine-specs.js';
import { realOutputs, realSourceFile } from '../../test/helpers/real-outputs.js';
import { measureItems, totals } from '../perf/measure.js';

// The undici Client sets its defaults as `this[kHeadersTimeout] = headersTimeout != null ? … : 300e3`, an
// assignment the search transform does not take for one, so the two lines that answer the question go.
const DROPS_NEEDLES = new Set(['search-grep-undici-timeout']);

describe('on every real output, with its question as the query', () => {
  specifyTheEngineOn([...realOutputs(), realSourceFile()], DROPS_NEEDLES);
});

describe('reduction on the real outputs (o200k_base tokens, each question as the query)', () => {
  const byCategory = new Map(totals(measureItems(engine, realOutputs())).map((t) => [t.category, t]));
  // Measured: logs 91.9%, json 82.7%, search 78.1%, build 60.5%, diff 54.2%, shell 49.6%, text 63.6%,
  // overall 75.9%. Floors sit a little under, so a regression fails here. Diffs of package versions are
  // mostly changed lines, and listings and READMEs are less repetitive than the corpus's.
  const floors: Array<[string, number]> = [
    ['logs', 0.9],
    ['json', 0.8],
    ['search', 0.76],
    ['build', 0.58],
    ['diff', 0.52],
    ['shell', 0.47],
    ['text', 0.61],
    ['overall', 0.74],
  ];
  for (const [category, floor] of floors) {
    it(`shrinks ${category} by at least ${Math.round(floor * 100)}%`, () => {
      expect(byCategory.get(category)?.reduction).toBeGreaterThanOrEqual(floor);
    });
  }
});
