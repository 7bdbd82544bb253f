// The proxy answers the model's headroom_retrieve calls itself: the model reads the original it was shown
// shortened, the agent (an official SDK here) sees one clean answer, and the request's stats row counts it.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { markerIds } from '../src/compress/marker.js';
import type { RunningProxy } from '../src/proxy/server.js';
import {
  anthropicConversation,
  openaiChatConversation,
  openaiResponsesInput,
  turnsFor,
} from './helpers/conversation.js';
import {
  type AnswerContent,
  answer,
  type FakeUpstream,
  type ReceivedRequest,
  type ToolCall,
} from './helpers/fake-upstream.js';
import { startProxyPerFile, startTestProxy, waitForRows } from './helpers/proxy.js';
import { realOutput } from './helpers/real-outputs.js';

// A JSON output the model reads back in one page, so the whole original is what it gets.
const item = realOutput('json-npm-explain-debug');
const turns = turnsFor([item]);
const QUESTION = 'Which of those packages pull in debug directly?';
const FINAL = 'body-parser, express, finalhandler and router depend on debug directly.';
const RETRIEVE_CALL = 'call_hr_0001';
/** The original as it appears inside a JSON request body. */
const originalInJson = JSON.stringify(item.text).slice(1, -1);

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started));

const claude = (baseURL = proxy.url) => new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 });
const openai = () => new OpenAI({ apiKey: 'sk-test-openai', baseURL: `${proxy.url}/v1`, maxRetries: 0 });

const anthropicParams = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  tools: [
    {
      name: 'Bash',
      description: 'Run a shell command',
      input_schema: { type: 'object' as const, properties: { command: { type: 'string' } } },
    },
  ],
  messages: [
    ...(anthropicConversation(turns) as Anthropic.MessageParam[]),
    { role: 'user' as const, content: QUESTION },
  ],
};

const chatParams = {
  model: 'gpt-4o',
  tools: [
    {
      type: 'function' as const,
      function: { name: 'bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } },
    },
  ],
  messages: [
    ...(openaiChatConversation(turns) as OpenAI.Chat.ChatCompletionMessageParam[]),
    { role: 'user' as const, content: QUESTION },
  ],
};

const responsesParams = {
  model: 'gpt-5-codex',
  tools: [
    {
      type: 'function' as const,
      name: 'shell',
      strict: false,
      parameters: { type: 'object', properties: { command: { type: 'array' } } },
    },
  ],
  input: [
    ...(openaiResponsesInput(turns) as OpenAI.Responses.ResponseInputItem[]),
    { role: 'user' as const, content: QUESTION },
  ],
};

/** What an SDK call gave the client: the text it read, its tool calls, and everything it received. */
interface ClientView {
  text: string;
  toolCalls: { name: string; input: unknown }[];
  received: unknown;
}

const parse = (json: string): unknown => JSON.parse(json);

const CLIENTS: { name: string; call: () => Promise<ClientView> }[] = [
  {
    name: 'Anthropic messages.create',
    call: async () => {
      const message = await claude().messages.create(anthropicParams);
      return anthropicView(message, message);
    },
  },
  {
    name: 'Anthropic messages.stream',
    call: async () => {
      const stream = claude().messages.stream(anthropicParams);
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return anthropicView(await stream.finalMessage(), events);
    },
  },
  {
    name: 'OpenAI chat.completions.create',
    call: async () => {
      const completion = await openai().chat.completions.create(chatParams);
      const message = completion.choices[0]!.message;
      return {
        text: message.content ?? '',
        toolCalls: (message.tool_calls ?? []).map((c) =>
          c.type === 'function'
            ? { name: c.function.name, input: parse(c.function.arguments) }
            : { name: '', input: c },
        ),
        received: completion,
      };
    },
  },
  {
    name: 'OpenAI chat.completions.create with stream',
    call: async () => {
      const stream = await openai().chat.completions.create({
        ...chatParams,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const calls = new Map<number, { name: string; args: string }>();
      for (const chunk of chunks) {
        for (const piece of chunk.choices[0]?.delta.tool_calls ?? []) {
          const call = calls.get(piece.index) ?? { name: '', args: '' };
          call.name += piece.function?.name ?? '';
          call.args += piece.function?.arguments ?? '';
          calls.set(piece.index, call);
        }
      }
      return {
        text: chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''),
        toolCalls: [...calls.values()].map((c) => ({ name: c.name, input: parse(c.args) })),
        received: chunks,
      };
    },
  },
  {
    name: 'OpenAI responses.create',
    call: async () => responsesView(await openai().responses.create(responsesParams)),
  },
  {
    name: 'OpenAI responses.create with stream',
    call: async () => {
      const stream = await openai().responses.create({ ...responsesParams, stream: true });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const completed = events.at(-1);
      if (completed?.type !== 'response.completed') throw new Error(`stream ended with ${completed?.type}`);
      const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
      return { ...responsesView(completed.response), text: deltas.join(''), received: events };
    },
  },
];

function anthropicView(message: Anthropic.Message, received: unknown): ClientView {
  return {
    text: message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(''),
    toolCalls: message.content.flatMap((b) =>
      b.type === 'tool_use' ? [{ name: b.name, input: b.input }] : [],
    ),
    received,
  };
}

function responsesView(response: OpenAI.Responses.Response): ClientView {
  return {
    text: response.output_text,
    toolCalls: response.output.flatMap((o) =>
      o.type === 'function_call' ? [{ name: o.name, input: parse(o.arguments) }] : [],
    ),
    received: response,
  };
}

/** True when the request continues the turn with the answer to the proxy's headroom_retrieve call `callId`. */
const answers = (req: ReceivedRequest, callId: string) => req.body.toString('utf8').includes(`"${callId}"`);

/** The id of the first marker the proxy put into the request. */
const markerIn = (req: ReceivedRequest) => markerIds(req.body.toString('utf8'))[0]!;

/** Round 1: the model calls headroom_retrieve (plus `alongside`); round 2: it answers with `FINAL`. */
function scriptRetrieveThenAnswer(id: (req: ReceivedRequest) => string, alongside: ToolCall[] = []) {
  upstream.script((req) => {
    if (answers(req, RETRIEVE_CALL)) return answer(req, { text: FINAL, usage: { input: 5200, output: 30 } });
    const retrieve = { id: RETRIEVE_CALL, name: 'headroom_retrieve', input: { id: id(req) } };
    const content: AnswerContent = {
      toolCalls: [retrieve, ...alongside],
      usage: { input: 1000, output: 12 },
    };
    return answer(req, content);
  });
}

describe('the retrieve loop through the official SDKs', () => {
  it.each(CLIENTS)(
    '$name: the client gets one clean answer and the model read the original',
    async ({ call }) => {
      scriptRetrieveThenAnswer(markerIn);
      const before = upstream.requests.length;
      const view = await call();

      const [round1, round2, extra] = upstream.requests.slice(before);
      expect(extra).toBeUndefined();
      expect(round1!.body.toString('utf8')).not.toContain(originalInJson);
      expect(round2!.body.toString('utf8')).toContain(originalInJson);
      // The continuation carries the client's own credentials.
      expect(round2!.headers.authorization ?? round2!.headers['x-api-key']).toBe(
        round1!.headers.authorization ?? round1!.headers['x-api-key'],
      );

      expect(view.text).toContain(FINAL);
      expect(view.toolCalls).toEqual([]);
      expect(JSON.stringify(view.received)).not.toContain('headroom_retrieve');

      const [row] = await waitForRows(proxy, 1);
      // The agent is billed for both rounds, and the stats say so.
      expect(row).toMatchObject({ status: 200, retrievals: 1, inputTokens: 6200, outputTokens: 42 });
      expect(row!.retrievedBytes).toBeGreaterThanOrEqual(Buffer.byteLength(item.text));
    },
  );
});

describe('answers without headroom_retrieve through the loop', () => {
  it.each(CLIENTS)(
    "$name: the agent's own tool call arrives as the model made it, in one round",
    async ({ call }) => {
      upstream.script((req) =>
        answer(req, { text: 'Checking.', toolCall: { name: 'Bash', input: { command: 'ls' } } }),
      );
      const before = upstream.requests.length;
      const view = await call();
      expect(upstream.requests.length - before).toBe(1);
      expect(view.text).toBe('Checking.');
      expect(view.toolCalls).toEqual([{ name: 'Bash', input: { command: 'ls' } }]);
      const [row] = await waitForRows(proxy, 1);
      expect(row).toMatchObject({ status: 200, retrievals: 0 });
    },
  );
});

describe('streams through the loop stay live', () => {
  it('delivers the first words before the model has finished its answer', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    upstream.script((req) => {
      const reply = answer(req, { text: 'The lockfile pins an old compiler.' });
      return reply.kind === 'sse' ? { ...reply, holdAfter: 4, release: held } : reply;
    });
    const stream = claude().messages.stream(anthropicParams);
    let firstWords = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        firstWords ||= event.delta.text;
        // Only now may the rest come: had the proxy held the stream back, this loop would never get here.
        release();
      }
    }
    expect(firstWords).toBe('The ');
    expect((await stream.finalMessage()).content).toEqual([
      expect.objectContaining({ type: 'text', text: 'The lockfile pins an old compiler.' }),
    ]);
  });
});

describe('the retrieve loop in special cases', () => {
  it("passes the agent's own tool call through when the model calls it together with headroom_retrieve", async () => {
    const bash = { id: 'toolu_agent_01', name: 'Bash', input: { command: 'git log -1' } };
    scriptRetrieveThenAnswer(markerIn, [bash]);
    for (const view of [await CLIENTS[0]!.call(), await CLIENTS[1]!.call()]) {
      expect(view.text).toContain(FINAL);
      expect(view.toolCalls).toEqual([{ name: 'Bash', input: { command: 'git log -1' } }]);
      expect(JSON.stringify(view.received)).not.toContain('headroom_retrieve');
    }
    const message = await claude().messages.create(anthropicParams);
    expect(message.stop_reason).toBe('tool_use');
    const continuation = upstream.requests.at(-1)!.json() as { messages: { content: unknown }[] };
    // The model's next round never saw the agent's call: only the agent can answer it.
    expect(JSON.stringify(continuation.messages.at(-2))).not.toContain('toolu_agent_01');
  });

  it('tells the model an unknown id is not available and relays its final answer', async () => {
    scriptRetrieveThenAnswer(() => 'hr_000000000000');
    const before = upstream.requests.length;
    const view = await CLIENTS[2]!.call();
    const round2 = upstream.requests[before + 1]!.json() as { messages: { role: string; content: string }[] };
    const result = round2.messages.find((m) => m.role === 'tool' && m.content.includes('hr_000000000000'));
    expect(result?.content).toContain('is not available');
    expect(view.text).toContain(FINAL);
    const [row] = await waitForRows(proxy, 1);
    expect(row!.retrievals).toBe(1);
  });

  it('stops after the configured rounds and gives the client what the model wrote', async () => {
    const limited = await startTestProxy(upstream.url, { retrieveMaxRounds: 1 });
    try {
      let round = 0;
      upstream.script((req) => {
        round += 1;
        const retrieve = { id: `toolu_hr_${round}`, name: 'headroom_retrieve', input: { id: markerIn(req) } };
        return answer(req, { text: `Round ${round} reads more.`, toolCall: retrieve });
      });
      const before = upstream.requests.length;
      const message = await claude(limited.url).messages.create(anthropicParams);
      expect(upstream.requests.length - before).toBe(2);
      expect(message.content).toEqual([
        { type: 'text', text: 'Round 1 reads more.' },
        { type: 'text', text: 'Round 2 reads more.' },
      ]);
      expect(message.stop_reason).toBe('end_turn');
      const [row] = await waitForRows(limited, 1);
      expect(row!.retrievals).toBe(1);
    } finally {
      await limited.close(0);
    }
  });

  it('aborts the upstream round when the client goes away in the middle of the loop', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    upstream.script((req) => {
      if (!answers(req, RETRIEVE_CALL)) {
        return answer(req, {
          toolCall: { id: RETRIEVE_CALL, name: 'headroom_retrieve', input: { id: markerIn(req) } },
        });
      }
      const reply = answer(req, { text: FINAL });
      return reply.kind === 'sse' ? { ...reply, holdAfter: 3, release: held } : reply;
    });
    const before = upstream.requests.length;
    const controller = new AbortController();
    const stream = claude().messages.stream(anthropicParams, { signal: controller.signal });
    const consumed = (async () => {
      for await (const _ of stream) {
        // read until aborted
      }
    })().catch(() => undefined);
    const [, round2] = (await upstream.waitForRequests(before + 2)).slice(before);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await consumed;
    expect(await round2!.closed).toEqual({ completed: false });
    release();
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 200, error: 'client aborted' });
  });
});
