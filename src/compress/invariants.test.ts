// What must hold on unusual input: nothing grows, nesting past the stack goes out whole instead of
// throwing, `__proto__` keys survive, and outputs past 130k lines or items still compress.

import { describe, expect, it } from 'vitest';
import { anthropicConversation, turnsFor } from '../../test/helpers/conversation.js';
import { compress, compressRequestBody, compressText } from '../../test/helpers/engine.js';
import { realOutput, serverLogLines } from '../../test/helpers/real-outputs.js';

type Block = { type: string; [key: string]: unknown };

function nested(depth: number): unknown {
  let value: unknown = { output: 'deep' };
  for (let i = 0; i < depth; i++) value = { inner: [value] };
  return value;
}

describe('engine invariants on unusual input', () => {
  it('never turns a repeated short output into a longer reference when minTokens is 0', () => {
    const messages = [
      { role: 'user', content: 'run it twice' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'make check' } },
          { type: 'tool_use', id: 'toolu_2', name: 'Bash', input: { command: 'make check' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'ok' },
        ],
      },
    ];
    const result = compress(messages, { minTokens: 0 });
    expect(result.messages).toEqual(messages);
    expect(result.stats.tokensAfter).toBeLessThanOrEqual(result.stats.tokensBefore);
  });

  it('returns the messages whole instead of throwing on a Gemini response nested 50k levels deep', () => {
    const contents = [
      { role: 'user', parts: [{ text: 'look it up' }] },
      { role: 'model', parts: [{ functionCall: { name: 'lookup', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: nested(50_000) } }] },
    ];
    const result = compress(contents, { format: 'gemini' });
    expect(result.messages).toEqual(contents);
    expect(result.originals).toEqual([]);
  });

  it('returns the messages whole instead of throwing on tool_use input nested 50k levels deep', () => {
    const messages = anthropicConversation(turnsFor([realOutput('log-express-debug')]));
    const assistant = messages[1] as { content: Block[] };
    (assistant.content[1] as Block).input = nested(50_000);
    expect(() => compress(messages)).not.toThrow();
    expect(compress(messages).messages).toEqual(messages);
  });

  it('keeps a __proto__ key of the request body and of a tool_result block when compressing', () => {
    const log = realOutput('log-express-debug').text;
    const raw = JSON.stringify({
      model: 'claude-sonnet-4-5',
      PROTO: { note: 'a key like any other' },
      messages: [
        { role: 'user', content: 'why did the job fail?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'logs' } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't1', PROTO: { kept: true }, content: log }],
        },
      ],
    });
    // An object literal would set the prototype; only JSON.parse makes `__proto__` an own key, as on the wire.
    const body: unknown = JSON.parse(raw.replaceAll('"PROTO"', '"__proto__"'));
    const result = compressRequestBody('anthropic', body);
    expect(result.changed).toBe(true);
    const sent = JSON.parse(JSON.stringify(result.body));
    expect(Object.keys(sent)).toEqual(['model', '__proto__', 'messages']);
    expect(Object.getOwnPropertyDescriptor(sent, '__proto__')?.value).toEqual({
      note: 'a key like any other',
    });
    const block = sent.messages[2].content[0];
    expect(Object.keys(block)).toEqual(['type', 'tool_use_id', '__proto__', 'content']);
    expect((block.content as string).length).toBeLessThan(log.length);
  });

  it('decides whether a 60 KB shell command reads a file without stalling', () => {
    const messages = anthropicConversation(turnsFor([realOutput('log-express-debug')]));
    const assistant = messages[1] as { content: Block[] };
    (assistant.content[1] as Block).input = { command: `cat${' '.repeat(60_000)}| sort` };
    const start = performance.now();
    const result = compress(messages);
    // A linear scan takes a millisecond; the quadratic one took seconds on the event loop.
    expect(performance.now() - start).toBeLessThan(500);
    expect(result.stats.blocks[0]?.transform).toBe('logs');
  });
});

// Spreading an array into a call's arguments overflows the stack past about 120k elements.
describe('outputs past 130k lines or items', () => {
  const many = 150_000;

  it('compresses a 150k-line log with a query and keeps its error line', () => {
    const { routine, error } = serverLogLines();
    const lines = Array.from({ length: many }, (_, i) => routine[i % routine.length] as string);
    lines.splice(91_234, 0, error);
    const result = compressText(lines.join('\n'), {
      query: 'why did the order fail?',
      tokenCounting: 'estimate',
    });
    expect(result.transform).toBe('logs');
    expect(result.text).toContain(error);
  });

  it('compresses a JSON array of 150k records and keeps it valid JSON', () => {
    const records = Array.from({ length: many }, (_, i) => ({ id: i, state: i % 7 ? 'open' : 'closed' }));
    const result = compressText(JSON.stringify(records), { tokenCounting: 'estimate' });
    expect(result.transform).toBe('json');
    expect(() => JSON.parse(result.text.slice(0, result.text.lastIndexOf('\n[headroom:')))).not.toThrow();
  });

  it('compresses 150k grep hits in one file into a count with their line span', () => {
    const hits = Array.from({ length: many }, (_, i) => `src/generated/table.ts:${i + 1}:  row(${i}),`);
    const result = compressText(hits.join('\n'), { query: 'row', tokenCounting: 'estimate' });
    expect(result.transform).toBe('search');
    expect(result.text).toMatch(/more in table\.ts, between lines 2 and 150000\]/);
  });

  it('compresses a diff that adds a 150k-line data file beside a hunk with long context', () => {
    const added = Array.from({ length: many }, (_, i) => `+${i},sample,${i * 3}`);
    const context = Array.from(
      { length: 5000 },
      (_, i) => ` unchanged line ${i} of the configuration reference`,
    );
    const diff = [
      'diff --git a/data/rows.csv b/data/rows.csv',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/data/rows.csv',
      `@@ -0,0 +1,${many} @@`,
      ...added,
      'diff --git a/docs/config.md b/docs/config.md',
      '--- a/docs/config.md',
      '+++ b/docs/config.md',
      '@@ -1,5001 +1,5001 @@',
      ...context.slice(0, 2500),
      '-timeout = 30',
      '+timeout = 60',
      ...context.slice(2500),
    ].join('\n');
    const result = compressText(diff, { tokenCounting: 'estimate' });
    expect(result.transform).toBe('diff');
    expect(result.text).toContain('+timeout = 60');
  });
});
