// Claude Code asks the API how many tokens a request will take. Through the proxy the answer must be about
// the request the proxy will actually send: compressed, and with headroom_retrieve among the tools.

import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { markerIds } from '../src/compress/marker.js';
import type { RunningProxy } from '../src/proxy/server.js';
import { anthropicConversation, turnsFor } from './helpers/conversation.js';
import type { FakeUpstream } from './helpers/fake-upstream.js';
import { startProxyPerFile } from './helpers/proxy.js';
import { realOutput } from './helpers/real-outputs.js';
import { until } from './helpers/until.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started), {}, { resetAfterEach: false });

const log = realOutput('log-express-debug');
const params = {
  model: 'claude-sonnet-4-6',
  system: 'You are a coding agent.',
  tools: [
    {
      name: 'Bash',
      description: 'Run a shell command',
      input_schema: { type: 'object' as const, properties: { command: { type: 'string' } } },
    },
  ],
  messages: anthropicConversation(turnsFor([log])) as Anthropic.MessageParam[],
};

const claude = (baseURL: string) => new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 });

describe('count_tokens through the proxy', () => {
  it('counts the request exactly as /v1/messages would send it: compressed, headroom_retrieve included', async () => {
    const before = upstream.requests.length;
    const counted = await claude(`${proxy.url}/s/count-tokens`).messages.countTokens(params);
    await claude(proxy.url).messages.create({ ...params, max_tokens: 1024 });
    const [count, message] = upstream.requests.slice(before);
    expect(count!.path).toBe('/v1/messages/count_tokens');

    const { max_tokens: _max, ...sent } = message!.json();
    expect(count!.json()).toEqual(sent);
    const countBody = count!.body.toString('utf8');
    expect(countBody).toContain('headroom_retrieve');
    expect(markerIds(countBody).length).toBeGreaterThan(0);

    // The count the agent reads is the smaller, compressed one.
    const direct = await claude(upstream.url).messages.countTokens(params);
    expect(counted.input_tokens).toBeLessThan(direct.input_tokens / 2);

    // A count is not a model call: it claims no savings in the stats.
    const row = await until(
      async () => (await proxy.store.rows({ session: 'count-tokens' })).at(-1),
      'the stats row of the count',
    );
    expect(row).toMatchObject({ status: 200, tokensBefore: null, tokensAfter: null });
  });
});
