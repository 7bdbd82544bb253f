// Compression through the running proxy, end to end: real-sized agent conversations built from real tool
// outputs, sent by the official SDKs, arrive upstream smaller, with every needle either still there or
// retrievable from the proxy's store, everything but tool outputs untouched, and the savings recorded.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { markerIds } from '../src/compress/marker.js';
import { countTokens } from '../src/compress/tokens.js';
import { isObject, type WireObject } from '../src/formats/wire.js';
import type { RunningProxy } from '../src/proxy/server.js';
import { readOriginal } from '../src/retrieve/read.js';
import {
  anthropicConversation,
  openaiChatConversation,
  openaiResponsesInput,
  turnsFor,
} from './helpers/conversation.js';
import { answer, type FakeUpstream, type ReceivedRequest } from './helpers/fake-upstream.js';
import { startProxyPerFile, startTestProxy, waitForRows } from './helpers/proxy.js';
import { type RealOutput, realOutput, realSourceFile } from './helpers/real-outputs.js';
import { until } from './helpers/until.js';

// One output of each kind, and a source file read whole.
const items = [
  ...[
    'log-express-debug',
    'json-npm-query-root-deps',
    'search-grep-undici-timeout',
    'diff-signal-exit',
    'build-tsc-eventsource-lib-es5',
    'text-ink-readme',
  ].map(realOutput),
  realSourceFile(),
];
const turns = turnsFor(items);
const QUESTION = 'Summarise what went wrong across these outputs.';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started), {}, { resetAfterEach: false });

const claude = (baseURL = proxy.url) => new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 });
const openai = () => new OpenAI({ apiKey: 'sk-test-openai', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
const schema = { type: 'object' as const, properties: { command: { type: 'string' } } };

const anthropicParams = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  system: 'You are a coding agent working in this repository.',
  tools: [
    { name: 'Bash', description: 'Run a shell command', input_schema: schema },
    { name: 'Grep', description: 'Search files', input_schema: schema },
  ],
  messages: [
    ...(anthropicConversation(turns) as Anthropic.MessageParam[]),
    { role: 'user' as const, content: QUESTION },
  ],
};

const chatParams = {
  model: 'gpt-4o',
  tools: [{ type: 'function' as const, function: { name: 'bash', parameters: schema } }],
  messages: [
    ...(openaiChatConversation(turns) as OpenAI.Chat.ChatCompletionMessageParam[]),
    { role: 'user' as const, content: QUESTION },
  ],
};

const responsesParams = {
  model: 'gpt-5-codex',
  instructions: 'You are Codex, a coding agent.',
  tools: [{ type: 'function' as const, name: 'shell', strict: false, parameters: schema }],
  input: [
    ...(openaiResponsesInput(turns) as OpenAI.Responses.ResponseInputItem[]),
    { role: 'user' as const, content: QUESTION },
  ],
};

const objects = (value: unknown): WireObject[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** The shapes these cases send. */
type Shape = 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';

/** Each tool output of a request body by its call id, with a setter to blank it out. */
function toolOutputs(format: Shape, body: WireObject): { callId: string; text: string; blank(): void }[] {
  switch (format) {
    case 'anthropic':
      return objects(body.messages).flatMap((m) =>
        objects(m.content)
          .filter((b) => b.type === 'tool_result')
          .map((b) => ({
            callId: String(b.tool_use_id),
            text: String(b.content),
            blank: () => {
              b.content = '<tool output>';
            },
          })),
      );
    case 'openai-chat':
      return objects(body.messages)
        .filter((m) => m.role === 'tool')
        .map((m) => ({
          callId: String(m.tool_call_id),
          text: String(m.content),
          blank: () => {
            m.content = '<tool output>';
          },
        }));
    case 'openai-responses':
      return objects(body.input)
        .filter((i) => i.type === 'function_call_output')
        .map((i) => ({
          callId: String(i.call_id),
          text: String(i.output),
          blank: () => {
            i.output = '<tool output>';
          },
        }));
    case 'gemini':
      return objects(body.contents).flatMap((c) =>
        objects(c.parts).flatMap((p) => {
          const answer = isObject(p.functionResponse) ? p.functionResponse : undefined;
          const response = answer && isObject(answer.response) ? answer.response : undefined;
          if (!answer || !response) return [];
          const blank = () => {
            response.output = '<tool output>';
          };
          return [{ callId: String(answer.id), text: String(response.output), blank }];
        }),
      );
  }
}

/** The body with every tool output blanked and the tools left out: what compression must not touch. */
function untouchedParts(format: Shape, body: WireObject): WireObject {
  const copy = structuredClone(body);
  for (const output of toolOutputs(format, copy)) output.blank();
  delete copy.tools;
  return copy;
}

const toolName = (tool: WireObject) =>
  isObject(tool.function) ? String(tool.function.name) : String(tool.name);

type Fate = 'kept' | 'retrievable' | 'lost';

/** Where each needle of each item ended up: in the forwarded text, or behind its marker in the store. */
async function needleFates(format: Shape, forwarded: WireObject, included: readonly RealOutput[]) {
  const byCall = new Map(toolOutputs(format, forwarded).map((o) => [o.callId, o.text]));
  const fates: Record<string, Fate> = {};
  for (const [i, item] of included.entries()) {
    const prefix = format === 'anthropic' ? 'toolu_' : 'call_';
    const text = byCall.get(`${prefix}${String(i).padStart(4, '0')}`) ?? '';
    const originals = await Promise.all(markerIds(text).map((id) => readOriginal(proxy.originals!, id)));
    for (const needle of item.needles) {
      const fate: Fate = text.includes(needle)
        ? 'kept'
        : originals.some((o) => o.found && o.text.includes(needle))
          ? 'retrievable'
          : 'lost';
      fates[`${item.name}: ${needle}`] = fate;
    }
  }
  return fates;
}

const CASES: { name: string; format: Shape; sent: unknown; send: () => Promise<unknown> }[] = [
  {
    name: 'Anthropic messages.create',
    format: 'anthropic',
    sent: anthropicParams,
    send: () => claude().messages.create(anthropicParams),
  },
  {
    name: 'OpenAI chat.completions.create',
    format: 'openai-chat',
    sent: chatParams,
    send: () => openai().chat.completions.create(chatParams),
  },
  {
    name: 'OpenAI responses.create',
    format: 'openai-responses',
    sent: responsesParams,
    send: () => openai().responses.create(responsesParams),
  },
];

describe('compression through the proxy', () => {
  it.each(CASES)(
    '$name: the model API gets fewer tokens, every needle kept or retrievable, the rest untouched',
    async ({ format, sent, send }) => {
      proxy.store.reset();
      const before = upstream.requests.length;
      await send();
      const received = upstream.requests[before]!;
      const original = JSON.parse(JSON.stringify(sent)) as WireObject;
      const forwarded = received.json();

      expect(countTokens(received.body.toString('utf8'))).toBeLessThan(
        countTokens(JSON.stringify(original)) * 0.8,
      );

      const fates = await needleFates(format, forwarded, items);
      expect(Object.entries(fates).filter(([, fate]) => fate === 'lost')).toEqual([]);
      // Every marker the model reads names an original the proxy can give back whole.
      const ids = markerIds(received.body.toString('utf8'));
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) {
        const back = await readOriginal(proxy.originals!, id);
        expect(back.found && items.some((item) => item.text === back.text)).toBe(true);
      }

      expect(untouchedParts(format, forwarded)).toEqual(untouchedParts(format, original));
      const tools = objects(forwarded.tools);
      expect(tools.slice(0, -1)).toEqual(original.tools);
      expect(toolName(tools.at(-1)!)).toBe('headroom_retrieve');

      const [row] = await waitForRows(proxy, 1);
      expect(row!.tokensBefore).toBeGreaterThan(row!.tokensAfter!);
      expect(Object.keys(row!.transforms ?? {}).length).toBeGreaterThan(0);
      expect(row!.compressError).toBeNull();
    },
  );

  it('keeps the error lines of a server log of thousands of lines readable by the model, or one retrieve away', async () => {
    const log = realOutput('log-express-debug');
    await claude().messages.create({
      ...anthropicParams,
      messages: [...(anthropicConversation(turnsFor([log])) as Anthropic.MessageParam[])],
    });
    const forwarded = upstream.requests.at(-1)!.json();
    const [output] = toolOutputs('anthropic', forwarded);
    expect(output!.text.length).toBeLessThan(log.text.length / 2);
    const [id] = markerIds(output!.text);
    const back = await readOriginal(proxy.originals!, id!);
    expect(back.found && back.text).toBe(log.text);
  });

  it('records the headroom_retrieve definition as tokens added when it had nothing to compress', async () => {
    proxy.store.reset();
    upstream.script((req) => answerWithUsage(req));
    try {
      // A session of its own, so the row read is this request's and not one still landing from before.
      await claude(`${proxy.url}/s/tokens-added`).messages.create({
        ...anthropicParams,
        messages: [{ role: 'user', content: 'Which tests are flaky?' }],
      });
    } finally {
      upstream.script(undefined);
    }
    const row = await until(
      async () => (await proxy.store.rows({ session: 'tokens-added' })).at(-1),
      'the stats row of the request',
    );
    // The upstream's own count of what was sent, and the request as the agent wrote it.
    expect(row!.tokensAfter).toBe(1500);
    expect(row!.tokensBefore).toBeLessThan(1500);
    expect(row!.tokensBefore).toBeGreaterThan(1500 - 150);
    expect(row!.transforms).toBeNull();
  });

  it('forwards the exact bytes of a request without tools whose outputs are too small to compress', async () => {
    const body = Buffer.from(
      JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Why does the build fail?' }],
      }),
    );
    const received = await sendRaw(proxy.url, body);
    expect(received.body.equals(body)).toBe(true);
  });
});

const answerWithUsage = (req: ReceivedRequest) => answer(req, { usage: { input: 1000, cacheRead: 500 } });

async function sendRaw(base: string, body: Buffer): Promise<ReceivedRequest> {
  const before = upstream.requests.length;
  const response = await request(`${base}/v1/messages`, {
    method: 'POST',
    headers: {
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    },
    body,
  });
  expect(response.statusCode).toBe(200);
  await response.body.dump();
  return upstream.requests[before]!;
}

describe('compression switched off', () => {
  it('forwards the exact bytes and offers no headroom_retrieve', async () => {
    const off = await startTestProxy(upstream.url, { compress: false });
    try {
      const body = Buffer.from(JSON.stringify(anthropicParams));
      const received = await sendRaw(off.url, body);
      expect(received.body.equals(body)).toBe(true);
      expect(off.originals).toBeUndefined();
    } finally {
      await off.close(0);
    }
  });
});
