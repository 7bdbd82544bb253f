// Properties every transform keeps on random and adversarial input (fast-check, fixed seeds so a run is
// repeatable): it never throws, gives the same bytes twice, never sends more tokens than it got, ends a
// shortened text with one marker naming the original's id, and keeps JSON valid above that marker.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressText } from '../../test/helpers/engine.js';
import { MARKER_PATTERN, markerIds, originalId } from './marker.js';
import type { Kind } from './types.js';

const KINDS: Kind[] = ['json', 'logs', 'search', 'diff', 'html', 'text', 'code', 'paths'];
const RUNS = { seed: 20261202, numRuns: 40 };

const word = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.:/-]{0,14}$/);
const noise = fc.string({ unit: 'binary', maxLength: 120 });
const level = fc.constantFrom('INFO', 'WARN', 'ERROR', 'DEBUG', 'error:', 'npm verbose', '');
// Lines shaped like tool output: log lines, grep hits, diff lines, code, JSON-ish fragments and plain noise.
const line = fc.oneof(
  fc
    .tuple(fc.nat(59), level, word, fc.nat(100000))
    .map(([s, l, w, n]) => `2026-12-02 10:00:${String(s).padStart(2, '0')} ${l} ${w} took ${n} ms`),
  fc.tuple(word, fc.nat(5000), noise).map(([f, n, t]) => `${f}.ts:${n}:${t}`),
  fc
    .tuple(fc.constantFrom('+', '-', ' ', '@@ -1,3 +1,4 @@', 'diff --git a/x b/x'), noise)
    .map(([p, t]) => `${p}${t}`),
  fc.tuple(fc.nat(8), word, word).map(([d, a, b]) => `${'  '.repeat(d)}function ${a}(${b}) {`),
  fc.tuple(word, fc.oneof(fc.integer(), word)).map(([k, v]) => `  "${k}": ${JSON.stringify(v)},`),
  fc.constantFrom('}', '{', ']', '', '    return x;', '<div><p>text</p></div>', '*/', '"""'),
  noise,
);
const lines = fc.array(line, { minLength: 40, maxLength: 400 }).map((ls) => ls.join('\n'));
// Inputs that have broken text tools: one huge line, a long run of one character, deep nesting, mixed ends.
const adversarial = fc.oneof(
  fc
    .tuple(fc.constantFrom('x', '=', ' ', '\u0000', '{', '"', '\\'), fc.integer({ min: 2000, max: 40000 }))
    .map(([c, n]) => c.repeat(n)),
  fc.integer({ min: 100, max: 3000 }).map((n) => `${'['.repeat(n)}1${']'.repeat(n)}`),
  lines.map((text) => text.replace(/\n/g, '\r\n')),
  fc.array(noise, { minLength: 200, maxLength: 600 }).map((parts) => parts.join('')),
);
const input = fc.oneof(lines, adversarial);
// Source a parser accepts: functions with bodies of random statements, some of them long.
const statement = fc.oneof(
  fc.tuple(word, fc.integer()).map(([w, n]) => `const ${w.replace(/[^A-Za-z0-9_]/g, '_')} = ${n};`),
  fc.tuple(word, noise).map(([w, t]) => `log(${JSON.stringify(w)}, ${JSON.stringify(t)});`),
  fc.constantFrom('if (x) { y(); }', "throw new Error('bad input');", 'return value;', '// a comment'),
);
const source = fc
  .array(
    fc
      .tuple(fc.nat(999), fc.array(statement, { minLength: 1, maxLength: 30 }))
      .map(([n, body]) => `function f${n}(value, x) {\n${body.map((b) => `  ${b}`).join('\n')}\n}\n`),
    { minLength: 20, maxLength: 80 },
  )
  .map((fns) => fns.join('\n'));
const documents = fc
  .array(fc.jsonValue({ maxDepth: 6 }), { minLength: 30, maxLength: 200 })
  .map((items) => JSON.stringify(items, null, 2));
/** What each kind is checked on: output of its own shape, mixed with random and adversarial input. */
const inputFor = (kind: Kind) =>
  kind === 'json' ? fc.oneof(documents, input) : kind === 'code' ? fc.oneof(source, input) : input;

/** Checks one input; true when the transform shortened it (so the properties were not met by doing nothing). */
function checkOne(text: string, kind: Kind): boolean {
  const first = compressText(text, { kind, memo: false, tokenCounting: 'estimate' });
  const second = compressText(text, { kind, memo: false, tokenCounting: 'estimate' });
  expect(second.text).toBe(first.text);
  expect(first.tokensAfter).toBeLessThanOrEqual(first.tokensBefore);
  expect(first.original).toBe(text);
  if (first.text === text) return false;
  const ids = markerIds(first.text);
  expect(ids).toEqual([originalId(text)]);
  const lastLine = first.text.slice(first.text.lastIndexOf('\n') + 1);
  if (kind === 'json' && isJson(text) && MARKER_PATTERN.test(lastLine)) {
    expect(isJson(first.text.slice(0, first.text.lastIndexOf('\n')))).toBe(true);
  }
  return true;
}

/** Run the property over `inputs` and check that some of them were shortened. */
function assertOver(inputs: fc.Arbitrary<string>, kindOf: (text: string) => Kind): void {
  let shortened = 0;
  fc.assert(
    fc.property(inputs, (text) => {
      if (checkOne(text, kindOf(text))) shortened++;
    }),
    RUNS,
  );
  expect(shortened).toBeGreaterThan(0);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('every transform, on random and adversarial input', () => {
  for (const kind of KINDS) {
    it(`${kind}: never throws, same bytes twice, never more tokens, one marker naming the original`, () => {
      assertOver(inputFor(kind), () => kind);
    });
  }

  it('json: random JSON documents stay valid JSON above the marker', () => {
    assertOver(documents, () => 'json');
  });

  it('auto-detected: whatever the detector picks for the input', () => {
    assertOver(input, (text) => compressText(text, { memo: false, tokenCounting: 'estimate' }).kind);
  });
});
