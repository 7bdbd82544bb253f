// Memory through the real proxy, with official SDK clients as callers: a memory one agent saves (the model
// calls memory_save, the proxy answers it) is found by another agent speaking another wire format in the same
// project and not in another; saving it again merges; the block of memories added to a user turn is sent
// byte for byte the same on every later request; in every format, streamed or not, the model's memory calls
// never reach the client; and two proxies on one Redis share one memory and the block each turn was sent with.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Memories } from '../src/memory/memories.js';
import type { RunningProxy } from '../src/proxy/server.js';
import { openMemoryStore } from '../src/store/index.js';
import type { MemoryStore } from '../src/store/types.js';
import { writeEmbeddingModel } from './helpers/embedding-model.js';
import {
  answer,
  type FakeUpstream,
  type JsonObject,
  type ReceivedRequest,
  startFakeUpstream,
  toolResultTexts as toolResults,
} from './helpers/fake-upstream.js';
import { startTestProxy, waitForRows } from './helpers/proxy.js';
import { hasRedisServer, type RedisServer, redisTestName, startRedisServer } from './helpers/redis-server.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
let cacheDir: string;
let store: MemoryStore;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  cacheDir = mkdtempSync(join(tmpdir(), 'headroom-memory-cache-'));
  proxy = await startTestProxy(upstream.url, { memory: true, cacheDir });
  store = await openMemoryStore({ cacheDir });
});

afterAll(async () => {
  await store.close();
  await proxy.close(0);
  await upstream.close();
});

const projectA = mkdtempSync(join(tmpdir(), 'headroom-project-a-'));
const projectB = mkdtempSync(join(tmpdir(), 'headroom-project-b-'));
const FACT = 'The staging database listens on port 5433, not 5432.';

const anthropic = (project: string) =>
  new Anthropic({
    apiKey: 'sk-ant-test-key',
    baseURL: proxy.url,
    maxRetries: 0,
    defaultHeaders: { 'x-headroom-project': project },
  });
const openai = (project: string) =>
  new OpenAI({
    apiKey: 'sk-test-openai',
    baseURL: `${proxy.url}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'x-headroom-project': project },
  });

const bashTool = {
  name: 'Bash',
  description: 'Run a shell command',
  input_schema: { type: 'object' as const, properties: { command: { type: 'string' } } },
};
const shellFunction = {
  type: 'function' as const,
  name: 'shell',
  description: 'Run a shell command',
  parameters: { type: 'object', properties: { command: { type: 'string' } } },
  strict: false,
};

/** The model calls `name` with `input` first, then says what the tool answered it. */
function callThenEcho(name: string, input: Record<string, unknown>) {
  upstream.script((req) => {
    const results = toolResults(req);
    if (results === '') return answer(req, { toolCall: { name, input } });
    return answer(req, { text: `The tool said: ${results}` });
  });
}

const offeredTools = (req: ReceivedRequest) => JSON.stringify(req.json().tools);

describe('memory shared across agents and wire formats', () => {
  it('finds in a Codex-shaped request what a Claude-shaped request saved, in the same project only', async () => {
    callThenEcho('memory_save', { text: FACT });
    const before = upstream.requests.length;
    const saved = await anthropic(projectA).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 512,
      tools: [bashTool],
      messages: [{ role: 'user', content: 'Remember which port the staging database uses.' }],
    });
    // The client sees the answer after the save, never the call.
    expect(saved.content.map((b) => b.type)).toEqual(['text']);
    expect(saved.stop_reason).toBe('end_turn');
    const [first, second] = upstream.requests.slice(before);
    expect(offeredTools(first!)).toContain('"memory_save"');
    // The project names a local directory: it stays with the proxy.
    expect(first!.headers['x-headroom-project']).toBeUndefined();
    expect(toolResults(second!)).toMatch(/saved m_[0-9a-f]{12}/);
    // The stats row counts the memory call apart from retrievals.
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ memoryCalls: 1, retrievals: 0 });

    // Codex speaks the Responses API; the model searches, and the proxy answers from project A's memories.
    callThenEcho('memory_search', { query: 'staging database port' });
    const found = await openai(projectA).responses.create({
      model: 'gpt-5-codex',
      tools: [shellFunction],
      input: [{ role: 'user', content: 'Which port does the staging database use?' }],
    });
    expect(found.output.map((item) => item.type)).toEqual(['message']);
    expect(found.output_text).toContain('5433, not 5432');
    // The memory went to the model in the newest user turn too, before any search.
    const codexFirst = upstream.requests.at(-2)!;
    const input = codexFirst.json().input as JsonObject[];
    expect(JSON.stringify(input.at(-1))).toContain(FACT);
    expect(JSON.stringify(codexFirst.json().instructions ?? '')).not.toContain(FACT);

    callThenEcho('memory_search', { query: 'staging database port' });
    const elsewhere = await openai(projectB).responses.create({
      model: 'gpt-5-codex',
      tools: [shellFunction],
      input: [{ role: 'user', content: 'Which port does the staging database use?' }],
    });
    expect(elsewhere.output_text).toContain('no memories match');
    expect(elsewhere.output_text).not.toContain('5433');
    expect(JSON.stringify(upstream.requests.at(-2)!.json().input)).not.toContain(FACT);
  });

  it('merges the same memory saved again, word for word or nearly, keeping who saved it and how often', async () => {
    const scope = `project:${projectA}`;
    const [kept] = (await store.list({ scope })).filter((m) => m.text === FACT);
    expect(kept).toBeDefined();
    callThenEcho('memory_save', { text: '  the staging database listens on port 5433, not 5432  ' });
    await openai(projectA).responses.create({
      model: 'gpt-5-codex',
      tools: [shellFunction],
      input: [{ role: 'user', content: 'Note the staging port again.' }],
    });
    expect(toolResults(upstream.requests.at(-1)!)).toContain(`already remembered as ${kept!.id}`);
    callThenEcho('memory_save', { text: 'The staging database now listens on port 5433, not 5432.' });
    await anthropic(projectA).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 512,
      tools: [bashTool],
      messages: [{ role: 'user', content: 'Save the staging port.' }],
    });
    expect(toolResults(upstream.requests.at(-1)!)).toContain('nearly the same words');
    const memories = (await store.list({ scope })).filter((m) => m.text.includes('5433'));
    expect(memories).toHaveLength(1);
    expect(memories[0]).toMatchObject({ id: kept!.id, text: FACT, confirmations: 2 });
    expect(memories[0]!.agents).toEqual(['Anthropic', 'OpenAI']);
  });

  it('counts what the agent sent without the memory tools and block headroom added', async () => {
    upstream.script((req) => answer(req, { text: 'plain answer' }));
    const rows = (await proxy.store.rows({}, { limit: 1000 })).length;
    const before = upstream.requests.length;
    await anthropic(projectA).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      tools: [bashTool],
      messages: [{ role: 'user', content: 'Which port does the staging database use?' }],
    });
    const sent = upstream.requests[before]!;
    expect(JSON.stringify(sent.json())).toContain(FACT);
    const [row] = (await waitForRows(proxy, rows + 1)).slice(-1);
    // The memory tools' five definitions and the memories block are headroom's own.
    // The agent's own request is a one-line question and one tool: a few dozen tokens at most.
    expect(row!.tokensBefore).toBeLessThan(40);
    expect(row!.tokensAfter! - row!.tokensBefore!).toBeGreaterThan(100);
  });

  it('sends the block added to a user turn byte for byte the same in that turn across 20 turns', async () => {
    upstream.script((req) => answer(req, { text: `answer ${req.index}` }));
    const client = anthropic(projectA);
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'What port does the staging database use? Check the config.' },
    ];
    const sent: JsonObject[][] = [];
    for (let turn = 0; turn < 20; turn++) {
      const reply = await client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        tools: [bashTool],
        messages,
      });
      sent.push(upstream.requests.at(-1)!.json().messages as JsonObject[]);
      messages.push({ role: 'assistant', content: reply.content });
      messages.push({ role: 'user', content: `Go on (${turn}).` });
      // A memory saved mid-conversation changes no turn already sent.
      if (turn === 5) {
        const text = 'The staging database port is documented in ops/README.md';
        await new Memories(store).save({ scope: `project:${projectA}`, text, agent: 'claude' });
      }
    }
    const firstTurn = JSON.stringify(sent[0]![0]);
    expect(firstTurn).toContain(FACT);
    expect(String(sent[0]![0]!.content)).toContain('<memory source="headroom">');
    for (let i = 1; i < sent.length; i++) {
      // Every request starts with the one before it, byte for byte: the cached prefix holds.
      const previous = sent[i - 1]!;
      expect(JSON.stringify(sent[i]!.slice(0, previous.length))).toBe(JSON.stringify(previous));
      expect(JSON.stringify(sent[i]![0])).toBe(firstTurn);
    }
  });
});

const gemini = (project: string) =>
  new GoogleGenAI({
    apiKey: 'AIza-test-gemini-key-000',
    httpOptions: { baseUrl: proxy.url, headers: { 'x-headroom-project': project } },
  });
const geminiTools = [
  {
    functionDeclarations: [
      {
        name: 'run_shell_command',
        description: 'Run a shell command',
        parametersJsonSchema: { type: 'object' },
      },
    ],
  },
];
const QUESTION = 'List what you remember about this project.';

/** Each format's client, asking once as JSON and once as a stream; the text it got, and all it got. */
const CLIENTS: Record<string, (stream: boolean) => Promise<{ text: string; all: string }>> = {
  anthropic: async (stream) => {
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 512,
      tools: [bashTool],
      messages: [{ role: 'user' as const, content: QUESTION }],
    };
    const client = anthropic(projectA);
    const message = stream
      ? await client.messages.stream(params).finalMessage()
      : await client.messages.create(params);
    const text = message.content.map((b) => (b.type === 'text' ? b.text : `[${b.type}]`)).join('');
    return { text, all: JSON.stringify(message) };
  },
  'openai-chat': async (stream) => {
    const params = {
      model: 'gpt-4o',
      tools: [{ type: 'function' as const, function: { name: 'shell', parameters: { type: 'object' } } }],
      messages: [{ role: 'user' as const, content: QUESTION }],
    };
    const client = openai(projectA);
    if (!stream) {
      const completion = await client.chat.completions.create(params);
      return { text: completion.choices[0]!.message.content ?? '', all: JSON.stringify(completion) };
    }
    const chunks = [];
    for await (const chunk of await client.chat.completions.create({ ...params, stream: true }))
      chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    return { text, all: JSON.stringify(chunks) };
  },
  'openai-responses': async (stream) => {
    const params = { model: 'gpt-5-codex', tools: [shellFunction], input: QUESTION };
    const client = openai(projectA);
    if (!stream) {
      const response = await client.responses.create(params);
      return { text: response.output_text, all: JSON.stringify(response) };
    }
    const events = [];
    for await (const event of await client.responses.create({ ...params, stream: true })) events.push(event);
    const done = events.find((e) => e.type === 'response.completed');
    const text = events.map((e) => (e.type === 'response.output_text.delta' ? e.delta : '')).join('');
    return { text: done ? text : '(no response.completed)', all: JSON.stringify(events) };
  },
  gemini: async (stream) => {
    const params = {
      model: 'gemini-2.5-flash',
      contents: [{ role: 'user', parts: [{ text: QUESTION }] }],
      config: { tools: geminiTools },
    };
    const client = gemini(projectA);
    if (!stream) {
      const response = await client.models.generateContent(params);
      return { text: response.text ?? '', all: JSON.stringify(response) };
    }
    const chunks = [];
    for await (const chunk of await client.models.generateContentStream(params)) chunks.push(chunk);
    return { text: chunks.map((c) => c.text ?? '').join(''), all: JSON.stringify(chunks) };
  },
};

describe.each(Object.keys(CLIENTS))('memory tools in %s', (format) => {
  it.each([false, true])('are answered by the proxy, streamed: %s', async (stream) => {
    callThenEcho('memory_list', {});
    const before = upstream.requests.length;
    const { text, all } = await CLIENTS[format]!(stream);
    expect(upstream.requests.length - before).toBe(2);
    expect(text).toContain('5433, not 5432');
    expect(all).not.toContain('memory_list');
  });
});

describe('memory found by meaning, with a local embedding model', () => {
  let semantic: RunningProxy;
  const project = mkdtempSync(join(tmpdir(), 'headroom-project-semantic-'));
  const SHIPPING = 'Release through the canary pool.';
  const TABS = 'Tabs not spaces in makefiles.';
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-memory-semantic-'));
    const memoryEmbeddings = writeEmbeddingModel(join(dir, 'model'));
    semantic = await startTestProxy(upstream.url, { memory: true, cacheDir: dir, memoryEmbeddings });
    const kept = await openMemoryStore({ cacheDir: dir });
    for (const text of [SHIPPING, TABS]) {
      await new Memories(kept).save({ scope: `project:${project}`, text, agent: 'codex' });
    }
    await kept.close();
  });
  afterAll(() => semantic.close(0));

  it('adds to the turn, and answers memory_search with, a memory sharing no word with the request', async () => {
    callThenEcho('memory_search', { query: 'ship' });
    const before = upstream.requests.length;
    const client = new OpenAI({
      apiKey: 'sk-test-openai',
      baseURL: `${semantic.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { 'x-headroom-project': project },
    });
    const done = await client.chat.completions.create({
      model: 'gpt-5',
      tools: [{ type: 'function', function: { name: 'shell', parameters: { type: 'object' } } }],
      messages: [{ role: 'user', content: 'how do we ship' }],
    });
    expect(done.choices[0]!.message.content).toContain(SHIPPING);
    const [first] = upstream.requests.slice(before);
    const turn = JSON.stringify((first!.json().messages as JsonObject[]).at(-1));
    expect(turn).toContain(SHIPPING);
    expect(turn).not.toContain(TABS);
  });
});

describe.skipIf(!hasRedisServer)(redisTestName('memory of replicas sharing a Redis store'), () => {
  let redis: RedisServer;
  let replicas: RunningProxy[];
  let store: string;
  beforeAll(async () => {
    redis = await startRedisServer();
    store = redis.freshUrl();
    // Each replica has a cache dir of its own: nothing is shared but Redis.
    replicas = await Promise.all(
      [0, 1].map(() =>
        startTestProxy(upstream.url, {
          memory: true,
          store,
          cacheDir: mkdtempSync(join(tmpdir(), 'headroom-memory-replica-')),
        }),
      ),
    );
  });
  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.close(0);
    await redis?.stop();
  });

  it('finds on replica B what an agent saved through replica A, and sends a turn the block A first sent it with', async () => {
    const project = mkdtempSync(join(tmpdir(), 'headroom-project-redis-'));
    const headers = { 'x-headroom-project': project };
    const fact = 'Release builds are signed with the key in vault path ci/signing.';
    callThenEcho('memory_save', { text: fact });
    await new Anthropic({
      apiKey: 'sk-ant-test-key',
      baseURL: replicas[0]!.url,
      maxRetries: 0,
      defaultHeaders: headers,
    }).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 512,
      tools: [bashTool],
      messages: [{ role: 'user', content: 'Remember where the release signing key lives.' }],
    });
    expect(toolResults(upstream.requests.at(-1)!)).toMatch(/saved m_[0-9a-f]{12}/);

    callThenEcho('memory_search', { query: 'release signing key vault' });
    const turn = { role: 'user' as const, content: 'Where is the release signing key kept?' };
    const codex = (replica: RunningProxy) =>
      new OpenAI({
        apiKey: 'sk-test-openai',
        baseURL: `${replica.url}/v1`,
        maxRetries: 0,
        defaultHeaders: headers,
      });
    const found = await codex(replicas[1]!).responses.create({
      model: 'gpt-5-codex',
      tools: [shellFunction],
      input: [turn],
    });
    expect(found.output_text).toContain('ci/signing');
    const onB = upstream.requests.at(-2)!.json().input as JsonObject[];
    expect(JSON.stringify(onB.at(-1))).toContain(fact);

    // A memory saved after the turn was first sent must not change it when the same turn reaches replica A.
    const shared = await openMemoryStore({ store, cacheDir });
    const later = 'The release signing key rotates every 90 days.';
    await new Memories(shared).save({ scope: `project:${project}`, text: later, agent: 'claude' });
    expect((await shared.search('release signing key')).map((m) => m.text)).toContain(later);
    await shared.close();
    upstream.script((req) => answer(req, { text: 'ok' }));
    await codex(replicas[0]!).responses.create({
      model: 'gpt-5-codex',
      tools: [shellFunction],
      input: [turn],
    });
    const onA = upstream.requests.at(-1)!.json().input as JsonObject[];
    expect(JSON.stringify(onA.at(-1))).toBe(JSON.stringify(onB.at(-1)));
    expect(JSON.stringify(onA)).not.toContain(later);
  });
});
