import { describe, expect, it } from 'vitest';
import { DIGEST_CHARS, digestOf, MalformedAnswerError, parseAnswer } from './llm.js';
import type { Rule } from './rules.js';

const rule = (key: string, evidence = 1): Rule => ({
  key,
  section: 'Commands',
  text: `Run \`${key}\`.`,
  evidence,
  sessions: 1,
  wastedTokensPerSession: 10,
  agents: ['claude'],
});

describe('the digest a model sees', () => {
  it('stops before DIGEST_CHARS, keeping the rules in the order given (strongest first)', () => {
    const rules = Array.from({ length: 400 }, (_, i) =>
      rule(`instead:cmd-${i} ${'a'.repeat(60)}=>ok`, 400 - i),
    );
    const excerpts = new Map(rules.map((r) => [r.key, 'e'.repeat(200)]));
    const { entries } = digestOf(rules, excerpts);
    expect(entries.length).toBeGreaterThan(10);
    expect(entries.length).toBeLessThan(rules.length);
    expect(JSON.stringify(entries).length).toBeLessThanOrEqual(DIGEST_CHARS);
    expect(entries.map((e) => e.key)).toEqual(rules.slice(0, entries.length).map((r) => r.key));
  });

  it('shows keys with secrets blanked, told apart when two blank to the same, and maps them back', () => {
    const a = 'instead:TOKEN=one1234567 deploy=>ok';
    const b = 'instead:TOKEN=two7654321 deploy=>ok';
    const digest = digestOf([rule(a), rule(b)], new Map());
    expect(digest.entries.map((e) => e.key)).toEqual([
      'instead:TOKEN=*** deploy=>ok',
      'instead:TOKEN=*** deploy=>ok#2',
    ]);
    const merges = parseAnswer(
      JSON.stringify([
        { section: 'Commands', text: 'Deploy once.', merges: digest.entries.map((e) => e.key) },
      ]),
      digest,
    );
    expect(merges).toEqual([{ section: 'Commands', text: 'Deploy once.', keys: [a, b] }]);
  });
});

describe("a model's answer", () => {
  const digest = digestOf([rule('instead:pnpm test=>npm test')], new Map());

  it('is taken bare or in one json fence, its text on one line with secrets blanked', () => {
    const item = {
      section: 'Paths',
      text: 'Use\n `npm test`  with API_KEY=abc',
      merges: ['instead:pnpm test=>npm test'],
    };
    const expected = [
      { section: 'Paths', text: 'Use `npm test` with API_KEY=***', keys: ['instead:pnpm test=>npm test'] },
    ];
    expect(parseAnswer(JSON.stringify([item]), digest)).toEqual(expected);
    expect(parseAnswer(`\`\`\`json\n${JSON.stringify([item])}\n\`\`\`\n`, digest)).toEqual(expected);
  });

  it.each([
    ['text around the JSON', 'Sure: []'],
    ['an empty merge', JSON.stringify([{ section: 'Commands', text: 'x', merges: [] }])],
    [
      'an overlong text',
      JSON.stringify([
        { section: 'Commands', text: 'x'.repeat(301), merges: ['instead:pnpm test=>npm test'] },
      ]),
    ],
    [
      'a blank text',
      JSON.stringify([{ section: 'Commands', text: '  ', merges: ['instead:pnpm test=>npm test'] }]),
    ],
    ['a list of strings', '["use npm"]'],
  ])('is refused with %s', (_, answer) => {
    expect(() => parseAnswer(answer, digest)).toThrow(MalformedAnswerError);
  });
});
