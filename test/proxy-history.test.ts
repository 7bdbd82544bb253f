// Cache-aware history through the real proxy: old tool outputs become stubs only where the provider's prompt
// cache has nothing to lose (here: after an idle gap longer than its lifetime), and from then on every
// request carries the same stubs at the same places, across a proxy restart too, and on another proxy sharing
// the store (one SQLite cache dir, or one Redis) that the conversation moves to. The proxies' clock is moved,
// never waited for.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { createLogger, type Logger } from '../src/log.js';
import type { RunningProxy } from '../src/proxy/server.js';
import { totals } from '../src/stats/report.js';
import { answer, type FakeUpstream, type JsonObject, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy, waitForRows } from './helpers/proxy.js';
import { realOutputs, realSourceFile } from './helpers/real-outputs.js';
import { hasRedisServer, type RedisServer, redisTestName, startRedisServer } from './helpers/redis-server.js';

const CLIENT_PATH = 'node_modules/openai/src/client.ts';
const clientSource = realSourceFile().text;
// The file as the agent reads it after its edit: one line changed.
const editedSource = clientSource.replace('maxRetries', 'maxRetries /* edited */');

interface Step {
  tool: string;
  input: Record<string, unknown>;
  output: string;
}

// Large enough to be worth a stub, small enough for headroom_retrieve to give back in one page.
const commandOutputs = realOutputs().filter((item) => item.text.length > 4000 && item.text.length < 40_000);

/** A Claude Code session of tool calls: reads, edits, commands, test runs, with real outputs. */
function sessionSteps(count: number): Step[] {
  const steps: Step[] = [
    { tool: 'Read', input: { file_path: CLIENT_PATH }, output: clientSource },
    { tool: 'Bash', input: { command: 'npm test' }, output: commandOutputs[0]!.text },
  ];
  for (let i = 0; steps.length < count; i++) {
    if (steps.length === 6) {
      steps.push({
        tool: 'Edit',
        input: { file_path: CLIENT_PATH, old_string: 'maxRetries', new_string: 'maxRetries /* edited */' },
        output: `The file ${CLIENT_PATH} has been updated.`,
      });
    } else if (steps.length === 7) {
      steps.push({ tool: 'Read', input: { file_path: CLIENT_PATH }, output: editedSource });
    } else if (steps.length === 8) {
      steps.push({ tool: 'Bash', input: { command: 'npm test' }, output: commandOutputs[1]!.text });
    } else {
      const item = commandOutputs[(i % (commandOutputs.length - 2)) + 2]!;
      const command = `node scripts/${item.name}.js --step ${steps.length}`;
      steps.push({ tool: 'Bash', input: { command }, output: item.text });
    }
  }
  return steps;
}

const STEPS = sessionSteps(30);
const callId = (i: number) => `toolu_${String(i).padStart(4, '0')}`;

/** The request an agent sends after the first `n` steps: the whole history, every turn. */
function requestAfter(n: number): JsonObject {
  const messages: unknown[] = [
    { role: 'user', content: 'The client retries too often. Find out why and fix it.' },
  ];
  STEPS.slice(0, n).forEach((step, i) => {
    messages.push({
      role: 'assistant',
      content: [
        { type: 'text', text: `Step ${i + 1}.` },
        { type: 'tool_use', id: callId(i), name: step.tool, input: step.input },
      ],
    });
    messages.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: callId(i), content: step.output }],
    });
  });
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
    tools: ['Read', 'Edit', 'Bash'].map((name) => ({
      name,
      description: `The ${name} tool`,
      input_schema: { type: 'object', properties: {} },
    })),
    messages,
  };
}

const MINUTE = 60_000;
let clock = Date.UTC(2026, 0, 5, 9);
let upstream: FakeUpstream;
let proxies: RunningProxy[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close(0);
  upstream.script(undefined);
});
afterAll(async () => {
  await upstream.close();
});

async function startProxy(overrides: Partial<Config> = {}, logger?: Logger): Promise<RunningProxy> {
  const proxy = await startTestProxy(upstream.url, overrides, { now: () => clock, logger });
  proxies.push(proxy);
  return proxy;
}

/** The upstream reports a warm cache: most of each prompt read from it. */
function warmCache(): void {
  upstream.script((req) => answer(req, { usage: { input: 200, cacheRead: 20_000, cacheWrite: 500 } }));
}

/** Send the history after `n` steps through `proxy`, 30 seconds after the last; what the upstream got. */
async function send(
  proxy: RunningProxy,
  n: number,
  headers: Record<string, string> = {},
  stream = false,
  session = '',
): Promise<JsonObject> {
  clock += 30_000;
  const before = upstream.requests.length;
  const response = await fetch(`${proxy.url}${session}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'test-key',
      'anthropic-version': '2023-06-01',
      ...headers,
    },
    body: JSON.stringify({ ...requestAfter(n), ...(stream ? { stream: true } : {}) }),
  });
  expect(response.status).toBe(200);
  await response.text();
  return upstream.requests[before]!.json();
}

/** The same history as OpenAI Chat Completions sends it: `tool_calls`, then one `role: "tool"` message each. */
function chatRequestAfter(n: number): JsonObject {
  const messages: unknown[] = [
    { role: 'system', content: 'You are a coding agent.' },
    { role: 'user', content: 'The client retries too often. Find out why and fix it.' },
  ];
  STEPS.slice(0, n).forEach((step, i) => {
    const call = {
      id: `call_${i}`,
      type: 'function',
      function: { name: step.tool, arguments: JSON.stringify(step.input) },
    };
    messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    messages.push({ role: 'tool', tool_call_id: `call_${i}`, content: step.output });
  });
  return { model: 'gpt-5', messages };
}

/** The text the forwarded request carries for step `i`'s output. */
function outputOf(forwarded: JsonObject, i: number): string {
  const message = (forwarded.messages as JsonObject[])[2 + 2 * i]!;
  const block = (message.content as JsonObject[])[0]!;
  return block.content as string;
}

/** Every message of `earlier` is, byte for byte, the same message in `later` (and so are system and tools). */
function expectPrefix(earlier: JsonObject, later: JsonObject): void {
  expect(JSON.stringify(later.system)).toBe(JSON.stringify(earlier.system));
  const earlierMessages = earlier.messages as unknown[];
  const laterMessages = (later.messages as unknown[]).slice(0, earlierMessages.length);
  expect(laterMessages.map((m) => JSON.stringify(m))).toEqual(earlierMessages.map((m) => JSON.stringify(m)));
}

const STUB = /set aside, .*; headroom_retrieve id=(hr_[0-9a-f]{12})\]$/;

describe('cache-aware history', () => {
  it('keeps every forwarded prefix byte-identical across 20 streamed turns while the cache stays warm', async () => {
    const proxy = await startProxy();
    warmCache();
    const forwarded: JsonObject[] = [];
    // Streamed, as Claude Code asks: the cache reads are tapped from message_start.
    for (let n = 1; n <= 20; n++) forwarded.push(await send(proxy, n, {}, true));
    for (let n = 1; n < forwarded.length; n++) expectPrefix(forwarded[n - 1]!, forwarded[n]!);
    // The earlier read and test run are superseded and the first outputs are old, yet nothing became a stub.
    expect(JSON.stringify(forwarded.at(-1))).not.toContain('set aside');
  });

  it('makes stubs of superseded and old outputs after an idle gap, then carries them unchanged, across a restart', async () => {
    // In a session, as `headroom wrap` sends it: the stubs are kept and read back by session.
    const inSession = (proxy: RunningProxy, n: number) => send(proxy, n, {}, false, '/s/claude-1');
    const cacheDir = mkdtempSync(join(tmpdir(), 'headroom-history-'));
    let proxy = await startProxy({ cacheDir });
    warmCache();
    for (let n = 1; n <= 14; n++) await inSession(proxy, n);
    const beforeGap = await inSession(proxy, 15);
    expect(JSON.stringify(beforeGap)).not.toContain('set aside');

    clock += 6 * MINUTE; // past Anthropic's 5-minute lifetime: the cache is cold
    const rewritten = await inSession(proxy, 16);
    // The first read of the file, superseded by its edit and a later read, is a stub; the latest read is whole.
    expect(outputOf(rewritten, 0)).toMatch(STUB);
    expect(outputOf(rewritten, 0)).toContain(`Read of ${CLIENT_PATH}`);
    expect(outputOf(rewritten, 0)).toContain('superseded by a later read or edit of the same file');
    expect(outputOf(rewritten, 7)).toContain('maxRetries /* edited */');
    // The first test run, superseded by the second, is a stub; the second is not.
    expect(outputOf(rewritten, 1)).toContain('superseded by a later run of the same command');
    expect(outputOf(rewritten, 8)).not.toMatch(STUB);
    // More than 10 turns old and large: a stub. The latest 4 turns stay as per-block compression left them.
    expect(outputOf(rewritten, 2)).toContain('from an earlier turn');
    for (let i = 12; i < 16; i++) expect(outputOf(rewritten, i)).not.toMatch(STUB);
    expect(JSON.stringify(rewritten).length).toBeLessThan(JSON.stringify(beforeGap).length);

    // headroom stats counts the rewrite once, and the tokens the stubs take out of every request.
    const rows = (await waitForRows(proxy, 16)).reverse();
    expect(rows.filter((row) => row.historyRewrite).map((row) => row.id)).toEqual([rows[15]!.id]);
    const setAside = rows[15]!.historySavedTokens;
    expect(setAside).toBeGreaterThan(10_000);
    expect(rows[15]!.tokensBefore! - rows[15]!.tokensAfter!).toBeGreaterThan(setAside / 2);
    expect(totals(rows)).toMatchObject({ historyRewrites: 1, historySavedTokens: setAside });

    let previous = rewritten;
    for (let n = 17; n <= 20; n++) {
      const next = await inSession(proxy, n);
      expectPrefix(previous, next);
      previous = next;
    }

    await proxy.close(0);
    proxies = proxies.filter((p) => p !== proxy);
    proxy = await startProxy({ cacheDir });
    const afterRestart = await inSession(proxy, 21);
    expectPrefix(previous, afterRestart);
  });

  /**
   * Two replicas on one store, both started before the conversation: it is rewritten on A, and its next
   * requests, on B then A again, carry exactly the stubs A decided (the forwarded prefix byte-identical).
   */
  async function movesBetweenReplicas(store: Partial<Config>): Promise<void> {
    const a = await startProxy(store);
    const b = await startProxy(store);
    const inSession = (proxy: RunningProxy, n: number) => send(proxy, n, {}, false, '/s/claude-moving');
    warmCache();
    for (let n = 1; n <= 15; n++) await inSession(n % 2 ? a : b, n);
    clock += 6 * MINUTE;
    const rewritten = await inSession(a, 16);
    expect(outputOf(rewritten, 0)).toMatch(STUB);
    const onB = await inSession(b, 17);
    expectPrefix(rewritten, onB);
    expect(outputOf(onB, 0)).toBe(outputOf(rewritten, 0));
    const backOnA = await inSession(a, 18);
    expectPrefix(onB, backOnA);
  }

  it('carries a conversation rewritten on one proxy unchanged to another sharing its SQLite cache dir', async () => {
    await movesBetweenReplicas({ cacheDir: mkdtempSync(join(tmpdir(), 'headroom-history-shared-')) });
  });

  describe.skipIf(!hasRedisServer)(redisTestName('on a shared Redis store'), () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('carries a conversation rewritten on one replica unchanged to another on the same Redis', async () => {
      await movesBetweenReplicas({
        store: redis.freshUrl(),
        cacheDir: mkdtempSync(join(tmpdir(), 'headroom-history-redis-')),
      });
    });
  });

  it('does the same for OpenAI Chat Completions: stubs after the idle gap, in the tool messages they replace', async () => {
    const proxy = await startProxy();
    // OpenAI reports cache reads only; its automatic cache holds what it was sent.
    upstream.script((req) => answer(req, { usage: { input: 2_000, cacheRead: 30_000 } }));
    const sendChat = async (n: number) => {
      clock += 30_000;
      const before = upstream.requests.length;
      const response = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
        body: JSON.stringify(chatRequestAfter(n)),
      });
      expect(response.status).toBe(200);
      await response.text();
      return upstream.requests[before]!.json();
    };
    const toolText = (forwarded: JsonObject, i: number) =>
      (forwarded.messages as JsonObject[]).find((m) => m.tool_call_id === `call_${i}`)!.content as string;
    let previous = await sendChat(1);
    for (let n = 2; n <= 14; n++) {
      const next = await sendChat(n);
      expectPrefix(previous, next);
      previous = next;
    }
    expect(JSON.stringify(previous)).not.toContain('set aside');
    clock += 11 * MINUTE; // past OpenAI's 5 to 10 minutes of inactivity
    const rewritten = await sendChat(15);
    expect(toolText(rewritten, 0)).toContain('superseded by a later read or edit of the same file');
    expect(toolText(rewritten, 1)).toContain('superseded by a later run of the same command');
    expect(toolText(rewritten, 7)).toContain('maxRetries /* edited */');
    expectPrefix(rewritten, await sendChat(16));
  });

  it('answers headroom_retrieve of a stub with the original, exactly', async () => {
    const proxy = await startProxy();
    warmCache();
    for (let n = 1; n <= 12; n++) await send(proxy, n);
    clock += 10 * MINUTE;
    const rewritten = await send(proxy, 13);
    // The first test run, superseded by the second.
    const id = STUB.exec(outputOf(rewritten, 1))?.[1];
    expect(id).toBeDefined();

    upstream.script((req) =>
      JSON.stringify(req.json()).includes('toolu_retrieve')
        ? answer(req, { text: 'Read it.' })
        : answer(req, { toolCall: { id: 'toolu_retrieve', name: 'headroom_retrieve', input: { id } } }),
    );
    const before = upstream.requests.length;
    await send(proxy, 13);
    const continued = upstream.requests[before + 1]!.json();
    const results = (continued.messages as JsonObject[]).at(-1)!.content as JsonObject[];
    const result = results.find((block) => block.tool_use_id === 'toolu_retrieve')!;
    const text = typeof result.content === 'string' ? result.content : JSON.stringify(result.content);
    expect(text).toBe(STEPS[1]!.output);
    expect(await proxy.originals!.get(id!)).toBe(STEPS[1]!.output);
  });

  it('with --history always and a warm cache, rewrites only when it pays, and --verbose prints the figures', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const proxy = await startProxy({ history: 'always' }, createLogger({ level: 'debug', stream }));
    warmCache();
    const forwarded: JsonObject[] = [];
    for (let n = 1; n <= 16; n++) forwarded.push(await send(proxy, n));
    const decisions = lines.filter((line) => line.includes('break-even over 10 turns'));
    expect(decisions.length).toBeGreaterThan(0);
    // Each warm rewrite point says what keeping and rewriting cost, and sets outputs aside only when cheaper.
    for (const line of decisions) {
      const [, keep, rewrite] = /keep (\d+) vs rewrite (\d+) input-token units/.exec(line)!;
      expect(line).toMatch(/cache read ×0\.10, write ×1\.25/);
      expect(line.includes('set aside as stubs')).toBe(Number(rewrite) < Number(keep));
    }
    const rewrites = decisions.filter((line) => line.includes('set aside as stubs')).length;
    expect(JSON.stringify(forwarded.at(-1)).includes('set aside')).toBe(rewrites > 0);
  });

  it('sends the history as the agent wrote it with --history off, and for a request that asks so', async () => {
    const off = await startProxy({ history: 'off' });
    warmCache();
    for (let n = 1; n <= 12; n++) await send(off, n);
    clock += 10 * MINUTE;
    expect(JSON.stringify(await send(off, 13))).not.toContain('set aside');

    const cold = await startProxy();
    for (let n = 1; n <= 12; n++) await send(cold, n);
    clock += 10 * MINUTE;
    const bypassed = await send(cold, 13, { 'x-headroom-history': 'off' });
    expect(JSON.stringify(bypassed)).not.toContain('set aside');
    expect(bypassed).not.toHaveProperty(['headers']);
  });
});
