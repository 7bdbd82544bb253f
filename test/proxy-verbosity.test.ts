// Verbosity steering as the upstream receives it from each API's official SDK: a note at the tail of the
// system prompt in each API's own place, the same bytes on every turn with the prefix before it as the agent
// wrote it, never on count_tokens or a small call without tools, and a change of level within a conversation
// only once its cache is cold.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { answer, type FakeUpstream, type JsonObject, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy, waitForRows } from './helpers/proxy.js';

const MARKER = '<headroom-verbosity';

interface Api {
  name: string;
  path: string;
  /** Send `body` to the proxy at `baseURL` with the API's official SDK (`countTokens`: its token count). */
  send(baseURL: string, body: JsonObject, countTokens?: boolean): Promise<unknown>;
  /** A conversation's request after `turns` tool round trips. */
  turn(turns: number, opening?: string): JsonObject;
  /** The same without tools: a small side call. */
  sideCall(): JsonObject;
  /** The system prompt as forwarded, and the note part in it. */
  system(body: JsonObject): { prefix: unknown; note: string | undefined };
}

const anthropic = (baseURL: string) => new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 });
const openai = (baseURL: string) =>
  new OpenAI({ apiKey: 'sk-test', baseURL: `${baseURL}/v1`, maxRetries: 0 });
const gemini = (baseUrl: string) =>
  new GoogleGenAI({ apiKey: 'AIza-test-key-000000000000000', httpOptions: { baseUrl } });
// The SDKs take the bodies these specs build as they are: typed loosely here, checked by the upstream.
// biome-ignore lint/suspicious/noExplicitAny: a request body handed to an SDK as its parameters
type Params = any;
const TOOL_OUTPUT = 'src/app.ts:12: const port = 8080;\nsrc/app.ts:40: listen(port);';

const noteIn = (texts: unknown[]): string | undefined => {
  const found = texts.filter((text) => typeof text === 'string' && text.includes(MARKER)) as string[];
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0];
};

const APIS: Api[] = [
  {
    name: 'Anthropic Messages (a string system becomes blocks, the note the last)',
    path: '/v1/messages',
    send: (url, body, countTokens) =>
      countTokens
        ? anthropic(url).messages.countTokens(body as Params)
        : anthropic(url).messages.create(body as Params),
    turn(turns, opening = 'Fix the port.') {
      const messages: unknown[] = [{ role: 'user', content: opening }];
      for (let i = 0; i < turns; i++) {
        messages.push({
          role: 'assistant',
          content: [{ type: 'tool_use', id: `t${i}`, name: 'Bash', input: { command: 'rg port' } }],
        });
        messages.push({
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: TOOL_OUTPUT }],
        });
      }
      return {
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        system: 'You are a coding agent.',
        tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object' } }],
        messages,
      };
    },
    sideCall: () => ({
      model: 'claude-haiku-4-5',
      max_tokens: 32,
      system: 'Title this.',
      messages: [{ role: 'user', content: 'Fix the port' }],
    }),
    system(body) {
      const blocks = (
        typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : body.system
      ) as {
        text: string;
      }[];
      const note = noteIn(blocks.map((b) => b.text));
      expect(note === undefined || blocks.at(-1)!.text === note).toBe(true);
      return { prefix: note ? blocks.slice(0, -1) : blocks, note };
    },
  },
  {
    name: 'OpenAI Chat Completions (a system message after the leading ones)',
    path: '/v1/chat/completions',
    send: (url, body) => openai(url).chat.completions.create(body as Params),
    turn(turns, opening = 'Fix the port.') {
      const messages: unknown[] = [
        { role: 'system', content: 'You are a coding agent.' },
        { role: 'user', content: opening },
      ];
      for (let i = 0; i < turns; i++) {
        messages.push({
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: `c${i}`,
              type: 'function',
              function: { name: 'shell', arguments: '{"command":"rg port"}' },
            },
          ],
        });
        messages.push({ role: 'tool', tool_call_id: `c${i}`, content: TOOL_OUTPUT });
      }
      return {
        model: 'gpt-5',
        messages,
        tools: [{ type: 'function', function: { name: 'shell', parameters: { type: 'object' } } }],
      };
    },
    sideCall: () => ({ model: 'gpt-5-mini', messages: [{ role: 'user', content: 'Title: fix the port' }] }),
    system(body) {
      const messages = body.messages as { role: string; content: unknown }[];
      const at = messages.findIndex((m) => typeof m.content === 'string' && m.content.includes(MARKER));
      noteIn(messages.map((m) => m.content));
      if (at === -1) return { prefix: messages[0], note: undefined };
      expect(at).toBe(1);
      expect(messages[at]!.role).toBe('system');
      return { prefix: messages[0], note: messages[at]!.content as string };
    },
  },
  {
    name: 'OpenAI Responses (the tail of instructions)',
    path: '/v1/responses',
    send: (url, body) => openai(url).responses.create(body as Params),
    turn(turns, opening = 'Fix the port.') {
      const input: unknown[] = [{ role: 'user', content: opening }];
      for (let i = 0; i < turns; i++) {
        input.push({
          type: 'function_call',
          call_id: `c${i}`,
          name: 'shell',
          arguments: '{"command":"rg port"}',
        });
        input.push({ type: 'function_call_output', call_id: `c${i}`, output: TOOL_OUTPUT });
      }
      return {
        model: 'gpt-5-codex',
        instructions: 'You are a coding agent.',
        input,
        tools: [{ type: 'function', name: 'shell', parameters: { type: 'object' } }],
      };
    },
    sideCall: () => ({ model: 'gpt-5-mini', input: 'Title: fix the port' }),
    system(body) {
      const instructions = body.instructions as string;
      const at = instructions.indexOf(MARKER);
      if (at === -1) return { prefix: instructions, note: undefined };
      expect(instructions.indexOf(MARKER, at + 1)).toBe(-1);
      expect(instructions.endsWith('</headroom-verbosity>')).toBe(true);
      expect(instructions.slice(at - 2, at)).toBe('\n\n');
      return { prefix: instructions.slice(0, at - 2), note: instructions.slice(at) };
    },
  },
  {
    name: 'Gemini generateContent (a last part of systemInstruction)',
    path: '/v1beta/models/gemini-2.5-pro:generateContent',
    send: (url, { contents, systemInstruction, tools }) =>
      gemini(url).models.generateContent({
        model: 'gemini-2.5-pro',
        contents: contents as Params,
        config: { systemInstruction: systemInstruction as Params, tools: tools as Params },
      }),
    turn(turns, opening = 'Fix the port.') {
      const contents: unknown[] = [{ role: 'user', parts: [{ text: opening }] }];
      for (let i = 0; i < turns; i++) {
        contents.push({
          role: 'model',
          parts: [{ functionCall: { name: 'shell', args: { command: 'rg port' } } }],
        });
        contents.push({
          role: 'user',
          parts: [{ functionResponse: { name: 'shell', response: { output: TOOL_OUTPUT } } }],
        });
      }
      return {
        systemInstruction: { parts: [{ text: 'You are a coding agent.' }] },
        contents,
        tools: [{ functionDeclarations: [{ name: 'shell', parameters: { type: 'object' } }] }],
      };
    },
    sideCall: () => ({ contents: [{ role: 'user', parts: [{ text: 'Title: fix the port' }] }] }),
    system(body) {
      const parts = ((body.systemInstruction as { parts?: { text: string }[] } | undefined)?.parts ?? []) as {
        text: string;
      }[];
      const note = noteIn(parts.map((p) => p.text));
      expect(note === undefined || parts.at(-1)!.text === note).toBe(true);
      return { prefix: note ? parts.slice(0, -1) : parts, note };
    },
  },
];

let upstream: FakeUpstream;
let proxy: RunningProxy;
let clock = 1_000_000;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  proxy = await startTestProxy(upstream.url, { verbosity: '2', history: 'off' }, { now: () => clock });
});

afterEach(() => {
  upstream.script(undefined);
  proxy.settings.apply({ HEADROOM_VERBOSITY: '2', HEADROOM_VERBOSITY_FORCE: false });
});

afterAll(async () => {
  await proxy?.close(0);
  await upstream?.close();
});

let sentCount = 0;

/**
 * Send `body` with the API's SDK and return what the upstream received, once the proxy has written the request's row
 * (by then it has kept what the answer said of the cache, as it would have between an agent's turns).
 */
async function forwarded(api: Api, body: JsonObject, countTokens = false): Promise<JsonObject> {
  const before = upstream.requests.length;
  await api.send(proxy.url, body, countTokens);
  await waitForRows(proxy, ++sentCount);
  return upstream.requests[before]!.json();
}

describe.each(APIS)('$name', (api) => {
  it('adds the note at the tail of the system prompt, byte-identical on every turn, the prefix untouched', async () => {
    const opening = `Fix the port (${api.name}).`;
    const sent = [];
    for (let turns = 0; turns < 3; turns++) sent.push(await forwarded(api, api.turn(turns, opening)));
    const systems = sent.map((body) => api.system(body));
    expect(systems[0]!.note).toContain('level="2"');
    for (const system of systems) {
      expect(system.note).toBe(systems[0]!.note);
      expect(system.prefix).toEqual(api.system(api.turn(0, opening) as JsonObject).prefix);
    }
    // The tools, cached before the system prompt or beside it, go the same every turn.
    for (const body of sent) expect(JSON.stringify(body.tools)).toBe(JSON.stringify(sent[0]!.tools));
  });

  it('leaves a small call without tools as it came', async () => {
    const side = api.sideCall();
    const before = upstream.requests.length;
    await api.send(upstream.url, side);
    const direct = upstream.requests[before]!.json();
    const body = await forwarded(api, side);
    expect(JSON.stringify(body)).not.toContain(MARKER);
    expect(body).toEqual(direct);
  });

  it('keeps a conversation at its level while the cache is warm, and changes it once cold', async () => {
    const opening = `Warm cache (${api.name}).`;
    upstream.script((req) => answer(req, { usage: { input: 50, cacheRead: 4000, cacheWrite: 0 } }));
    expect(api.system(await forwarded(api, api.turn(0, opening))).note).toContain('level="2"');
    proxy.settings.apply({ HEADROOM_VERBOSITY: 'minimal' });
    expect(api.system(await forwarded(api, api.turn(1, opening))).note).toContain('level="2"');
    // A new conversation gets the new level at once.
    expect(api.system(await forwarded(api, api.turn(0, `Another (${api.name}).`))).note).toContain(
      'level="3"',
    );
    clock += 25 * 3_600_000;
    expect(api.system(await forwarded(api, api.turn(2, opening))).note).toContain('level="3"');
  });

  it('keeps the note on a warm cache when compression and verbosity are both switched off live', async () => {
    const opening = `Everything off (${api.name}).`;
    upstream.script((req) => answer(req, { usage: { input: 50, cacheRead: 4000, cacheWrite: 0 } }));
    const note = api.system(await forwarded(api, api.turn(0, opening))).note;
    expect(note).toContain('level="2"');
    proxy.settings.apply({ HEADROOM_VERBOSITY: 'off', HEADROOM_COMPRESS: false });
    try {
      expect(api.system(await forwarded(api, api.turn(1, opening))).note).toBe(note);
      expect(
        api.system(await forwarded(api, api.turn(0, `New, all off (${api.name}).`))).note,
      ).toBeUndefined();
      clock += 25 * 3_600_000;
      expect(api.system(await forwarded(api, api.turn(2, opening))).note).toBeUndefined();
    } finally {
      proxy.settings.apply({ HEADROOM_COMPRESS: true });
    }
  });

  it('changes the level at once when forced', async () => {
    const opening = `Forced (${api.name}).`;
    upstream.script((req) => answer(req, { usage: { input: 50, cacheRead: 4000, cacheWrite: 0 } }));
    await forwarded(api, api.turn(0, opening));
    proxy.settings.apply({ HEADROOM_VERBOSITY: '4', HEADROOM_VERBOSITY_FORCE: true });
    expect(api.system(await forwarded(api, api.turn(1, opening))).note).toContain('level="4"');
  });
});

describe('what the stats row keeps', () => {
  it('records the level, the arm and the turn kind of a steered agent turn', async () => {
    const api = APIS[0]!;
    await forwarded(api, api.turn(1, 'Row check.'));
    const [row] = await proxy.store.rows({}, { limit: 1 });
    expect(row).toMatchObject({ verbosity: '2', outputArm: 'steered', turnKind: 'continuation' });
  });
});

describe('a holdout', () => {
  it('leaves a fixed share of conversations unsteered, the same ones every turn', async () => {
    proxy.settings.apply({ HEADROOM_OUTPUT_HOLDOUT: 0.5 });
    try {
      const api = APIS[0]!;
      const arms: string[] = [];
      for (let c = 0; c < 12; c++) {
        const opening = `Holdout conversation ${c}.`;
        const notes = [];
        for (let turns = 0; turns < 2; turns++)
          notes.push(api.system(await forwarded(api, api.turn(turns, opening))).note);
        expect(notes[1]).toBe(notes[0]);
        const [row] = await proxy.store.rows({}, { limit: 1 });
        expect(row!.outputArm).toBe(notes[0] === undefined ? 'holdout' : 'steered');
        arms.push(row!.outputArm!);
      }
      expect(arms).toContain('holdout');
      expect(arms).toContain('steered');
    } finally {
      proxy.settings.apply({ HEADROOM_OUTPUT_HOLDOUT: 0 });
    }
  });
});

describe('a holdout share changed on a running proxy', () => {
  it('keeps every conversation in the arm it was put in; new conversations get the new share', async () => {
    const api = APIS[0]!;
    const arms = new Map<string, string | undefined>();
    proxy.settings.apply({ HEADROOM_OUTPUT_HOLDOUT: 0.5 });
    try {
      for (let c = 0; c < 12; c++) {
        const opening = `Arm kept ${c}.`;
        arms.set(opening, api.system(await forwarded(api, api.turn(0, opening))).note);
      }
      expect([...arms.values()]).toContain(undefined);
      proxy.settings.apply({ HEADROOM_OUTPUT_HOLDOUT: 0 });
      for (const [opening, note] of arms)
        expect(api.system(await forwarded(api, api.turn(1, opening))).note).toBe(note);
      for (let c = 0; c < 6; c++)
        expect(api.system(await forwarded(api, api.turn(0, `New after the change ${c}.`))).note).toContain(
          'level="2"',
        );
    } finally {
      proxy.settings.apply({ HEADROOM_OUTPUT_HOLDOUT: 0 });
    }
  });
});

describe('a restarted proxy', () => {
  it('steers a conversation whose cache is warm at the level it went out with before the restart', async () => {
    const api = APIS[0]!;
    const cacheDir = mkdtempSync(join(tmpdir(), 'headroom-steering-'));
    const opening = 'Across a restart.';
    upstream.script((req) => answer(req, { usage: { input: 50, cacheRead: 4000, cacheWrite: 0 } }));
    const send = async (target: RunningProxy, body: JsonObject) => {
      const before = upstream.requests.length;
      const rows = (await target.store.rows({}, { limit: 1000 })).length;
      await api.send(target.url, body);
      await waitForRows(target, rows + 1);
      return api.system(upstream.requests[before]!.json()).note;
    };
    const first = await startTestProxy(
      upstream.url,
      { verbosity: '2', history: 'off', cacheDir },
      { now: () => clock },
    );
    expect(await send(first, api.turn(0, opening))).toContain('level="2"');
    await first.close(0);
    const second = await startTestProxy(
      upstream.url,
      { verbosity: '3', history: 'off', cacheDir },
      { now: () => clock },
    );
    try {
      expect(await send(second, api.turn(1, opening))).toContain('level="2"');
      expect(await send(second, api.turn(0, 'Begun after the restart.'))).toContain('level="3"');
      clock += 25 * 3_600_000;
      expect(await send(second, api.turn(2, opening))).toContain('level="3"');
    } finally {
      await second.close(0);
    }
  });
});

describe('count_tokens', () => {
  it('is never steered', async () => {
    const api = APIS[0]!;
    const body = api.turn(1);
    const sent = await forwarded(api, body, true);
    expect(JSON.stringify(sent.system)).not.toContain(MARKER);
  });
});
