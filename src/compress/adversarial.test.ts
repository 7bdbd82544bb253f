// Inputs built to hurt: detection and the transforms stay fast on pathological long lines (path
// separators, dotted names, long paths) instead of backtracking for seconds.

import { describe, expect, it } from 'vitest';
import { compressText, detectKind } from '../../test/helpers/engine.js';

// The engine runs on the proxy's event loop: a pattern that backtracks quadratically on one long line
// stalls every request in flight. The bound is a hundred times what the linear scan takes.
const STALL_MS = 500;

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

const grepHits = Array.from(
  { length: 200 },
  (_, i) => `src/module${i % 7}.ts:${i + 1}:  const value${i} = compute(${i});`,
).join('\n');
const listing = Array.from({ length: 200 }, (_, i) => `./src/dir${i % 7}/file${i}.ts`).join('\n');

describe('adversarial long lines', () => {
  it('classifies three 21 KB lines of path separators without stalling', () => {
    // Detection samples the first 64 KB: three lines of 21 KB fill it.
    const text = `${'a/'.repeat(10_500)}\n${'b/'.repeat(10_500)}\n${'c.'.repeat(10_500)}\n`;
    const { value, ms } = timed(() => detectKind(text));
    expect(value).toBe('text');
    expect(ms).toBeLessThan(STALL_MS);
  });

  it('compresses grep hits holding a 200 KB dotted line without stalling', () => {
    const text = `${grepHits}\n${'a.'.repeat(100_000)}\n${grepHits}`;
    const { value, ms } = timed(() => compressText(text, { memo: false, tokenCounting: 'estimate' }));
    expect(value.transform).toBe('search');
    expect(value.text.length).toBeLessThan(text.length);
    expect(ms).toBeLessThan(STALL_MS);
  });

  it('compresses a listing holding a 60 KB path without stalling', () => {
    const text = `${listing}\n${'a/'.repeat(30_000)} x\n${'d'.repeat(30_000)}/e\n${listing}`;
    const { value, ms } = timed(() => compressText(text, { memo: false, tokenCounting: 'estimate' }));
    expect(value.transform).toBe('search');
    expect(value.text.length).toBeLessThan(text.length);
    expect(ms).toBeLessThan(STALL_MS);
  });
});
