// Reading JSON cut short: every prefix of a real document reads as the start of that document, every
// suffix as its end, and text that is no piece of one JSON document is refused.

import { describe, expect, it } from 'vitest';
import { realOutput } from '../../test/helpers/real-outputs.js';
import { type Json, parsePrefix, parseSuffix } from './partial-json.js';

// `npm explain debug --json`, cut to a few dependents so every position can be tried.
const [debug] = JSON.parse(realOutput('json-npm-explain-debug').text) as Array<{ dependents: Json[] }>;
const whole = [{ ...debug, dependents: debug?.dependents.slice(0, 3) }] as Json;
const pretty = JSON.stringify(whole, null, 2);
const minified = JSON.stringify(whole);

/** Whether `part` is what a prefix of `full` holds: its first members, the last maybe cut (a string ending in `…`). */
function startsLike(part: Json, full: Json): boolean {
  if (typeof part === 'string' && typeof full === 'string')
    return part === full || (part.endsWith('…') && full.startsWith(part.slice(0, -1)));
  if (Array.isArray(part) && Array.isArray(full))
    return part.length <= full.length && part.every((v, i) => startsLike(v, full[i] as Json));
  if (part && full && typeof part === 'object' && typeof full === 'object' && !Array.isArray(full)) {
    const keys = Object.keys(part);
    const fullKeys = Object.keys(full).slice(0, keys.length);
    return keys.every(
      (k, i) => k === fullKeys[i] && startsLike((part as Record<string, Json>)[k] as Json, full[k] as Json),
    );
  }
  return part === full;
}

describe('parsePrefix', () => {
  it('reads every prefix of a real document as the start of it, and says where each stops', () => {
    const places = new Set<string>();
    for (const text of [pretty, minified]) {
      for (let at = 1; at < text.length; at++) {
        const read = parsePrefix(text.slice(0, at));
        expect(read, `cut at ${at}`).toBeDefined();
        expect(startsLike(read!.value, whole), `cut at ${at}`).toBe(true);
        places.add(read!.cut!.inside);
      }
      expect(parsePrefix(text)).toEqual({ value: whole, cut: undefined });
    }
    expect([...places].sort()).toEqual(['after-key', 'between-items', 'key', 'literal', 'string']);
  });

  it('names the place of the cut by its jq path, and drops a number whose digits the cut may have shortened', () => {
    expect(parsePrefix('{"runs": [{"id": 41, "status": "compl')).toEqual({
      value: { runs: [{ id: 41, status: 'compl…' }] },
      cut: { inside: 'string', path: '.runs[0].status', open: 3 },
    });
    expect(parsePrefix('[{"id": 41, "x-rate": 12')).toEqual({
      value: [{ id: 41 }],
      cut: { inside: 'number', path: '.[0]["x-rate"]', open: 2 },
    });
    expect(parsePrefix('{"ok": tr')?.cut).toEqual({ inside: 'literal', path: '.ok', open: 1 });
    expect(parsePrefix('{"a": {"b": 1}, "na')?.cut).toEqual({ inside: 'key', path: '.', open: 1 });
    expect(parsePrefix('{"a": {"b": 1}, "name": ')?.cut).toEqual({
      inside: 'after-key',
      path: '.name',
      key: 'name',
      open: 1,
    });
    expect(parsePrefix('[[1, 2], [3, ')?.cut).toEqual({ inside: 'between-items', path: '.[1]', open: 2 });
  });

  it('keeps a cut escape out of the string it was cut in, and `__proto__` as an own key', () => {
    expect(parsePrefix('["tab\\t and \\u00')?.value).toEqual(['tab\t and …']);
    const read = parsePrefix('{"__proto__": {"polluted": true}, "b": "');
    expect(Object.keys(read?.value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses text that is no start of a JSON object or array', () => {
    for (const text of [
      '{ this is not json',
      '"a string"',
      '{"a": 1}\n{"b": 2}', // JSON lines: a whole value, then more
      '{"a": 1}\nnpm error code ELSPROBLEMS',
      '{"a" "b"',
      '[1,]',
      '{"a": 1,}',
      '["bad \\x escape"',
      '{1',
      '[tx',
    ])
      expect(parsePrefix(text), text).toBeUndefined();
  });
});

describe('parseSuffix', () => {
  it('reads every suffix of a pretty-printed document as its end, closing what its start left open', () => {
    const lastLine = pretty.lastIndexOf('\n');
    for (let at = 1; at < lastLine; at++) {
      const read = parseSuffix(pretty.slice(at));
      expect(read, `from ${at}`).toBeDefined();
      // The suffix starts after the line the cut went through, as deep as the prefix up to there is open.
      const start = at + (read?.fragment.length ?? 0);
      expect(read?.levels.length, `from ${at}`).toBe(parsePrefix(pretty.slice(0, start))?.cut?.open);
      expect(read?.levels.at(-1)?.kind).toBe('array');
    }
  });

  it('reads the end of a minified document from the first punctuation it can start at', () => {
    const read = parseSuffix(minified.slice(minified.length - 200));
    expect(read?.levels.map((l) => l.kind).at(-1)).toBe('array');
    expect(read?.fragment.length).toBeLessThan(40);
  });

  it('shows the members of each container it closes, innermost first', () => {
    expect(parseSuffix('us": "ok"}, {"id": 2, "status": "failed"}], "total": 2}')).toEqual({
      fragment: 'us":',
      levels: [
        { kind: 'object', members: [{ key: undefined, value: 'ok' }] },
        { kind: 'array', members: [{ key: undefined, value: { id: 2, status: 'failed' } }] },
        { kind: 'object', members: [{ key: 'total', value: 2 }] },
      ],
      after: '',
    });
  });

  it('gives the lines after the document apart (a message the command printed after its JSON)', () => {
    const read = parseSuffix(
      '"a": 1\n  }\n}\nnpm error code ELSPROBLEMS\nnpm error missing: left-pad@^1.3.0\n',
    );
    expect(read?.levels.map((l) => l.kind)).toEqual(['object', 'object']);
    expect(read?.after).toBe('npm error code ELSPROBLEMS\nnpm error missing: left-pad@^1.3.0\n');
  });

  it('refuses an end that closes what it never had, or has no end of a document in it', () => {
    expect(parseSuffix('x\n  "a": 1,\n  2\n}')).toBeUndefined();
    expect(parseSuffix('x\n  1,\n  "a": 2\n]')).toBeUndefined();
    expect(parseSuffix('npm error code ELSPROBLEMS\nnpm error missing: left-pad@^1.3.0\n')).toBeUndefined();
  });
});
