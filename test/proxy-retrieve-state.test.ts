// A Responses conversation kept server-side (`previous_response_id`): when the model calls headroom_retrieve,
// the proxy continues from that round's own response with only the answers as input, never replaying the
// conversation (which the client never sent), and the client can go on from the last round's id.

import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { answer, type FakeUpstream, responseObject, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy } from './helpers/proxy.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  proxy = await startTestProxy(upstream.url);
});

afterEach(() => upstream.script(undefined));

afterAll(async () => {
  await proxy?.close(0);
  await upstream?.close();
});

const RETRIEVE = { id: 'call_hr_0001', name: 'headroom_retrieve', input: { id: 'hr_0123456789ab' } };
const FINAL = 'The reducer ran out of memory on the 2 GB node.';

const params = {
  model: 'gpt-5-codex',
  previous_response_id: 'resp_earlier_turn',
  tools: [
    {
      type: 'function' as const,
      name: 'shell',
      strict: false,
      parameters: { type: 'object', properties: { command: { type: 'array' } } },
    },
  ],
  input: [{ type: 'function_call_output' as const, call_id: 'call_agent_7', output: 'exit status 137' }],
};

const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${proxy.url}/v1`, maxRetries: 0 });

describe('headroom_retrieve in a conversation continued with previous_response_id', () => {
  it.each([
    {
      mode: 'JSON',
      call: async () => {
        const response = await openai().responses.create(params);
        return { id: response.id, text: response.output_text };
      },
    },
    {
      mode: 'a stream',
      call: async () => {
        const stream = openai().responses.stream(params);
        const response = await stream.finalResponse();
        return { id: response.id, text: response.output_text };
      },
    },
  ])('continues from the round’s response with only the answer as input ($mode)', async ({ call }) => {
    upstream.script((req) =>
      req.body.toString('utf8').includes(`"${RETRIEVE.id}"`)
        ? answer(req, { text: FINAL })
        : answer(req, { toolCall: RETRIEVE }),
    );
    const before = upstream.requests.length;
    const view = await call();
    const [round1, round2, extra] = upstream.requests.slice(before);
    expect(extra).toBeUndefined();

    const first = round1!.json();
    expect(first.previous_response_id).toBe('resp_earlier_turn');
    const { previous_response_id, input, ...rest } = round2!.json();
    const { previous_response_id: _p, input: _i, ...firstRest } = first;
    expect(previous_response_id).toBe(responseObject(round1!).id);
    expect(input).toEqual([
      {
        type: 'function_call_output',
        call_id: RETRIEVE.id,
        output: expect.stringContaining('hr_0123456789ab'),
      },
    ]);
    // Model, tools and settings go on as the client sent them.
    expect(rest).toEqual(firstRest);

    expect(view.text).toBe(FINAL);
    // The client's next turn goes on from the last round, which holds the whole exchange.
    expect(view.id).toBe(responseObject(round2!).id);
  });
});
