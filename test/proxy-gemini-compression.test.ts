// Gemini through a compressing proxy, with Google's SDK as the caller: a conversation of real outputs in
// Gemini CLI's shape reaches the model smaller with every needle kept or retrievable, and the model's
// headroom_retrieve calls are answered inside the proxy, so the SDK sees one clean answer, streamed or not.

import { type Content, type GenerateContentResponse, GoogleGenAI, type Tool } from '@google/genai';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { markerIds } from '../src/compress/marker.js';
import { isObject, type WireObject } from '../src/formats/wire.js';
import type { RunningProxy } from '../src/proxy/server.js';
import { readOriginal } from '../src/retrieve/read.js';
import { geminiContents, turnsFor } from './helpers/conversation.js';
import {
  type AnswerContent,
  answer,
  type FakeUpstream,
  type ReceivedRequest,
} from './helpers/fake-upstream.js';
import { startProxyPerFile, waitForRows } from './helpers/proxy.js';
import { realOutput } from './helpers/real-outputs.js';

const MODEL = 'gemini-2.5-pro';
const items = ['log-express-debug', 'json-npm-query-root-deps', 'search-grep-undici-timeout'].map(realOutput);
const QUESTION = 'Summarise what went wrong across these outputs.';
const FINAL = 'The order handler threw a RangeError for order 13, and the undici client timed out.';
const MAX_ROUNDS = 3;

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started), { retrieveMaxRounds: MAX_ROUNDS });

const gemini = () => new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: proxy.url } });
const tools: Tool[] = [
  {
    functionDeclarations: [
      {
        name: 'run_shell_command',
        description: 'Run a shell command',
        parametersJsonSchema: { type: 'object', properties: { command: { type: 'string' } } },
      },
    ],
  },
];
const contents = [
  ...(geminiContents(turnsFor(items)) as Content[]),
  { role: 'user', parts: [{ text: QUESTION }] },
];

const objects = (value: unknown): WireObject[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** The `response.output` of every functionResponse in a request body, by call id. */
function outputsOf(body: WireObject): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const content of objects(body.contents)) {
    for (const part of objects(content.parts)) {
      const answer = part.functionResponse;
      if (isObject(answer) && isObject(answer.response))
        outputs.set(String(answer.id), String(answer.response.output));
    }
  }
  return outputs;
}

const declared = (body: WireObject) =>
  objects(body.tools).flatMap((tool) => objects(tool.functionDeclarations).map((d) => String(d.name)));

describe('Gemini compression through the proxy', () => {
  it('sends the model fewer bytes, every needle kept or retrievable, everything else untouched', async () => {
    const before = upstream.requests.length;
    await gemini().models.generateContent({ model: MODEL, contents, config: { tools } });
    const received = upstream.requests[before]!;
    const direct = JSON.stringify({ contents, tools });
    expect(received.body.length).toBeLessThan(direct.length * 0.5);

    const forwarded = received.json();
    const sent = outputsOf(JSON.parse(direct) as WireObject);
    const outputs = outputsOf(forwarded);
    for (const [i, item] of items.entries()) {
      const text = [...outputs.values()][i]!;
      const originals = await Promise.all(markerIds(text).map((id) => readOriginal(proxy.originals!, id)));
      for (const needle of item.needles) {
        const kept = text.includes(needle) || originals.some((o) => o.found && o.text.includes(needle));
        expect(kept, `${item.name}: ${needle}`).toBe(true);
      }
    }
    expect([...outputs.keys()]).toEqual([...sent.keys()]);

    const blank = (value: unknown) => JSON.stringify(value, (key, v) => (key === 'output' ? '<output>' : v));
    // The SDK orders keys its own way: compare values (byte identity is the engine's spec).
    expect(JSON.parse(blank(forwarded.contents))).toEqual(JSON.parse(blank(contents)));
    expect(declared(forwarded)).toEqual(['run_shell_command', 'headroom_retrieve']);
    expect(received.headers['x-goog-api-key']).toBe('AIza-test');

    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ provider: 'gemini', status: 200, compressError: null });
    expect(row!.tokensBefore).toBeGreaterThan(row!.tokensAfter! * 2);
    expect(Object.keys(row!.transforms ?? {})).toEqual(expect.arrayContaining(['logs', 'json']));
  });

  it('forwards a request with toolConfig mode NONE compressed, without answering retrieve calls', async () => {
    modelRetrieves();
    const before = upstream.requests.length;
    await gemini().models.generateContent({
      model: MODEL,
      contents,
      config: { tools, toolConfig: { functionCallingConfig: { mode: 'NONE' as never } } },
    });
    const [row] = await waitForRows(proxy, 1);
    expect(upstream.requests.length - before).toBe(1);
    expect(row!.tokensBefore).toBeGreaterThan(row!.tokensAfter!);
  });
});

/** The upstream's first answer calls headroom_retrieve on the first marker it was sent; later ones answer. */
function modelRetrieves(first: AnswerContent = {}, later: AnswerContent = { text: FINAL }) {
  upstream.script((req) => {
    const id = markerIds(req.body.toString('utf8'))[0];
    const retrieving = !req.body.includes('"functionResponse":{"name":"headroom_retrieve"');
    if (!retrieving) return answer(req, later);
    return answer(req, {
      ...first,
      toolCalls: [
        { name: 'headroom_retrieve', input: { id: String(id), query: 'ERROR' } },
        ...(first.toolCalls ?? []),
      ],
      usage: { input: 5000, output: 20 },
    });
  });
}

/** The functionResponse the proxy sent upstream for the model's headroom_retrieve call. */
function retrieveAnswer(req: ReceivedRequest): WireObject | undefined {
  const last = objects(req.json().contents).at(-1);
  return objects(last?.parts).find((p) => isObject(p.functionResponse))?.functionResponse as WireObject;
}

async function streamed(config: { tools: Tool[] } = { tools }) {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of await gemini().models.generateContentStream({ model: MODEL, contents, config }))
    chunks.push(chunk);
  return chunks;
}

describe('headroom_retrieve answered inside the proxy for Gemini', () => {
  it('generateContent: the SDK gets the final answer only and the model got the original back', async () => {
    modelRetrieves();
    const before = upstream.requests.length;
    const response = await gemini().models.generateContent({ model: MODEL, contents, config: { tools } });
    expect(response.text).toBe(FINAL);
    expect(response.functionCalls).toBeUndefined();
    expect(JSON.stringify(response)).not.toContain('headroom_retrieve');
    expect(response.usageMetadata).toMatchObject({ candidatesTokenCount: 62 });

    const [, second] = upstream.requests.slice(before);
    const answered = retrieveAnswer(second!);
    expect(answered).toMatchObject({ name: 'headroom_retrieve', response: {} });
    expect(String((answered!.response as WireObject).output)).toMatch(/match "ERROR"/);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ provider: 'gemini', status: 200, retrievals: 1, outputTokens: 62 });
    expect(row!.inputTokens).toBeGreaterThan(5000);
  });

  it('generateContentStream: text streams in pieces, the retrieve round is invisible, usage is summed', async () => {
    modelRetrieves({ text: 'Let me read the errors in full.' });
    const chunks = await streamed();
    const texts = chunks.map((c) => c.text ?? '');
    expect(texts.join('')).toBe(`Let me read the errors in full.\n\n${FINAL}`);
    expect(texts.filter(Boolean).length).toBeGreaterThan(3);
    expect(chunks.map((c) => JSON.stringify(c)).join('')).not.toContain('headroom_retrieve');
    const last = chunks.at(-1)!;
    expect(last.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last.usageMetadata?.candidatesTokenCount).toBe(62);
    expect(new Set(chunks.map((c) => c.responseId)).size).toBe(1);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ stream: true, retrievals: 1, outputTokens: 62 });
  });

  it('ends the stream with an ApiError when the continuation breaks off mid-answer', async () => {
    upstream.script((req) => {
      const id = markerIds(req.body.toString('utf8'))[0];
      if (!req.body.includes('"functionResponse":{"name":"headroom_retrieve"')) {
        return answer(req, { toolCalls: [{ name: 'headroom_retrieve', input: { id: String(id) } }] });
      }
      const reply = answer(req, { text: 'The reducer was killed for using too much memory, twice.' });
      return reply.kind === 'sse' ? { ...reply, resetAfter: 2 } : reply;
    });
    let text = '';
    const error = await (async () => {
      const stream = await gemini().models.generateContentStream({
        model: MODEL,
        contents,
        config: { tools },
      });
      for await (const chunk of stream) text += chunk.text ?? '';
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('the answer is incomplete');
    expect(text).not.toContain('headroom_retrieve');
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ provider: 'gemini', error: 'upstream reset', retrievals: 1 });
  });

  it('passes the agent’s own function call through after the retrieve round, streamed and not', async () => {
    const agentCall = { name: 'run_shell_command', input: { command: 'npm test' } };
    modelRetrieves({ toolCalls: [agentCall] }, { text: 'Running the tests.' });
    const plain = await gemini().models.generateContent({ model: MODEL, contents, config: { tools } });
    expect(plain.functionCalls).toEqual([{ name: 'run_shell_command', args: { command: 'npm test' } }]);
    expect(plain.text).toBe('Running the tests.');

    const chunks = await streamed();
    const calls = chunks.flatMap((c) => c.functionCalls ?? []);
    expect(calls).toEqual([{ name: 'run_shell_command', args: { command: 'npm test' } }]);
    expect(chunks.map((c) => c.text ?? '').join('')).toBe('Running the tests.');
  });

  it('stops after the configured number of rounds and still closes the stream', async () => {
    upstream.script((req) =>
      answer(req, {
        toolCall: { name: 'headroom_retrieve', input: { id: String(markerIds(req.body.toString())[0]) } },
      }),
    );
    const before = upstream.requests.length;
    const chunks = await streamed();
    expect(upstream.requests.length - before).toBe(1 + MAX_ROUNDS);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(chunks.flatMap((c) => c.functionCalls ?? [])).toEqual([]);
  });

  it('answers retrieve calls in the JSON-array stream (no alt=sse) and replies with one array', async () => {
    modelRetrieves();
    const response = await request(`${proxy.url}/v1beta/models/${MODEL}:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-test' },
      body: JSON.stringify({ contents, tools }),
    });
    const body = (await response.body.json()) as WireObject[];
    expect(response.statusCode).toBe(200);
    expect(body).toHaveLength(1);
    expect(JSON.stringify(body)).not.toContain('headroom_retrieve');
    const parts = objects((objects(body[0]!.candidates)[0]!.content as WireObject).parts);
    expect(parts.map((p) => p.text).join('')).toBe(FINAL);
  });
});
