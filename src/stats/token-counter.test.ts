// The proxy's background counter on the runs that once kept its thread busy for minutes: it answers with a
// count from the text, as the tokenizer splits it, not with the estimate from size it falls back to.

import { afterEach, describe, expect, it } from 'vitest';
import { countTokens } from '../compress/tokens.js';
import { estimateFromSize, TokenCounter } from './token-counter.js';

const counters: TokenCounter[] = [];
const counter = () => {
  const made = new TokenCounter();
  counters.push(made);
  return made;
};

afterEach(async () => {
  for (const made of counters.splice(0)) await made.close();
});

describe('TokenCounter', () => {
  it('counts a tool output of 100 KB of `=` on its thread', async () => {
    const run = '='.repeat(100_000);
    const tokens = await counter().texts([run], 'claude-sonnet-4-6');
    expect(tokens).toBe(countTokens(run, 'claude-sonnet-4-6'));
    expect(tokens).toBeLessThan(Math.ceil(run.length / 4));
  });

  it('counts a request body that carries 100 KB of NUL bytes and a run of letters', async () => {
    const output = `${'\0'.repeat(100_000)}${'x'.repeat(100_000)}`;
    const body = Buffer.from(
      JSON.stringify({
        model: 'gpt-5',
        messages: [{ role: 'tool', tool_call_id: 'call_1', content: output }],
      }),
    );
    const estimate = await counter().request(body);
    expect(estimate.model).toBe('gpt-5');
    expect(estimate.tokens).toBe(countTokens(output, 'gpt-5') + countTokens('call_1', 'gpt-5'));
    expect(estimate.tokens).not.toBe(estimateFromSize(body).tokens);
  });

  it('counts a request body nested 100,000 deep, and the body after it, from their text', async () => {
    const depth = 100_000;
    const deep = Buffer.from(
      `{"model":"gpt-5","messages":[{"role":"user","content":${'['.repeat(depth)}"the needle"${']'.repeat(depth)}}]}`,
    );
    const made = counter();
    expect((await made.request(deep)).tokens).toBe(countTokens('the needle', 'gpt-5'));
    const next = Buffer.from(
      JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi there' }] }),
    );
    expect((await made.request(next)).tokens).toBe(countTokens('hi there', 'gpt-5'));
  });
});
