// Settings changed on a running proxy: `GET /admin/runtime-env` says what is in effect and where it came
// from, `POST` changes it for the requests that start after it, all or nothing, and only from this machine.

import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { anthropicEvents, type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy } from './helpers/proxy.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  proxy = await startTestProxy(upstream.url);
});

afterAll(async () => {
  await proxy?.close(0);
  await upstream?.close();
});

/** A service log of about `lines` lines: big enough for the engine to shorten. */
function serviceLog(lines: number): string {
  return Array.from(
    { length: lines },
    (_, i) =>
      `2026-12-02T10:00:${String(i % 60).padStart(2, '0')}Z ${i % 97 === 0 ? 'ERROR' : 'INFO'} api GET /v1/items/${(i * 7919) % 10_000} status=${i % 97 === 0 ? 500 : 200} took=${(i * 37) % 997}ms`,
  ).join('\n');
}

/** An Anthropic agent turn whose last message is one Bash output. */
function agentTurn(output: string): Record<string, unknown> {
  return {
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    system: 'You are a coding agent.',
    tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object' } }],
    messages: [
      { role: 'user', content: 'Why do the requests fail?' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'cat api.log' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: output }] },
    ],
  };
}

/** What `/admin/runtime-env` answers: the settings in effect, or the reason for a refusal. */
interface RuntimeEnvAnswer {
  version: number;
  settings: Record<string, { setting: string; value: unknown; source: string }>;
  error: { message: string };
}

/** The part of a forwarded Anthropic body these specs read. */
interface SentBody {
  system: unknown;
  messages: { content: { content: string }[] }[];
}

async function runtimeEnv(method: 'GET' | 'POST', body?: unknown) {
  const response = await request(`${proxy.url}/admin/runtime-env`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as RuntimeEnvAnswer };
}

/** The agents' own client: the official SDK, pointed at the proxy. */
const claude = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 });
type TurnBody = Anthropic.MessageCreateParamsNonStreaming;

/** Send one agent turn and return the body the upstream received. */
async function forwarded(body: Record<string, unknown>): Promise<SentBody> {
  const before = upstream.requests.length;
  const message = await claude().messages.create(body as unknown as TurnBody);
  expect(message.type).toBe('message');
  return upstream.requests[before]!.json() as unknown as SentBody;
}

const resultText = (body: SentBody) => body.messages[2]!.content[0]!.content;

describe('GET /admin/runtime-env', () => {
  it('lists every live setting by its variable, with its value and where it came from', async () => {
    const { status, body } = await runtimeEnv('GET');
    expect(status).toBe(200);
    expect(body.settings.HEADROOM_VERBOSITY).toEqual({
      setting: 'verbosity',
      value: 'off',
      source: 'default',
    });
    expect(body.settings.HEADROOM_MIN_TOKENS?.setting).toBe('minTokens');
    expect(body.settings.HEADROOM_PORT).toBeUndefined();
  });
});

describe('POST /admin/runtime-env', () => {
  it('applies to the next request without a restart, and says the value is live', async () => {
    const log = serviceLog(400);
    expect(resultText(await forwarded(agentTurn(log)))).not.toBe(log);
    const changed = await runtimeEnv('POST', { HEADROOM_EXCLUDE_TOOLS: 'Bash' });
    expect(changed.status).toBe(200);
    expect(changed.body.settings.HEADROOM_EXCLUDE_TOOLS).toEqual({
      setting: 'excludeTools',
      value: ['Bash'],
      source: 'live',
    });
    expect(resultText(await forwarded(agentTurn(log)))).toBe(log);
    await runtimeEnv('POST', { HEADROOM_EXCLUDE_TOOLS: '' });
    expect(resultText(await forwarded(agentTurn(log)))).not.toBe(log);
  });

  it('switches compression off and on again', async () => {
    const log = serviceLog(300);
    await runtimeEnv('POST', { HEADROOM_COMPRESS: false });
    expect(resultText(await forwarded(agentTurn(log)))).toBe(log);
    await runtimeEnv('POST', { HEADROOM_COMPRESS: 'on' });
    expect(resultText(await forwarded(agentTurn(log)))).not.toBe(log);
  });

  it.each([
    [{ HEADROOM_NOPE: '1' }, /unknown setting HEADROOM_NOPE/],
    [{ HEADROOM_PORT: 9000 }, /HEADROOM_PORT cannot change on a running proxy/],
    [{ HEADROOM_MIN_TOKENS: 'lots' }, /HEADROOM_MIN_TOKENS must be a non-negative number/],
    [{ HEADROOM_VERBOSITY: 'chatty' }, /HEADROOM_VERBOSITY must be one of off, 1, 2, 3, 4/],
    [['HEADROOM_VERBOSITY'], /JSON object/],
  ])('refuses %j with a 400 that says why, applying nothing', async (body, reason) => {
    const before = (await runtimeEnv('GET')).body;
    const { status, body: answer } = await runtimeEnv(
      'POST',
      Array.isArray(body) ? body : { HEADROOM_MIN_TOKENS: 10, ...body },
    );
    expect(status).toBe(400);
    expect(answer.error.message).toMatch(reason);
    expect((await runtimeEnv('GET')).body).toEqual(before);
  });

  it('takes the aliases of a verbosity level', async () => {
    const { body } = await runtimeEnv('POST', { HEADROOM_VERBOSITY: 'terse' });
    expect(body.settings.HEADROOM_VERBOSITY?.value).toBe('2');
    await runtimeEnv('POST', { HEADROOM_VERBOSITY: 'off' });
  });
});

describe('settings changing under load', () => {
  it('serves 32 concurrent streams while settings change every 100 ms: none fails, each runs by one snapshot', async () => {
    const log = serviceLog(300);
    // Streams that take a while, so many of them span a change.
    upstream.script((req) => ({ kind: 'sse', events: anthropicEvents(req), delayMs: 15 }));
    const snapshots = [
      { HEADROOM_VERBOSITY: '1', HEADROOM_EXCLUDE_TOOLS: '' },
      { HEADROOM_VERBOSITY: '4', HEADROOM_EXCLUDE_TOOLS: 'Bash' },
    ];
    let flips = 0;
    proxy.settings.apply(snapshots[0]!);
    const failures: string[] = [];
    const changes: Promise<unknown>[] = [];
    const changer = setInterval(() => {
      const change = runtimeEnv('POST', snapshots[++flips % 2]);
      changes.push(change.then(({ status }) => status === 200 || failures.push(`change: ${status}`)));
    }, 100);
    const seen = { compressedAtLevel1: 0, wholeAtLevel4: 0 };
    const stream = async (worker: number) => {
      for (let turn = 0; turn < 4; turn++) {
        // Each its own conversation: a new one takes the level in effect at once.
        const body = { ...agentTurn(log), system: `You are agent ${worker}-${turn}.` } as unknown as TurnBody;
        try {
          const events: string[] = [];
          const answer = await claude().messages.create(
            { ...body, stream: true },
            { headers: { 'x-worker': `${worker}-${turn}` } },
          );
          for await (const event of answer) events.push(event.type);
          if (events.at(-1) !== 'message_stop')
            failures.push(`${worker}-${turn}: ended with ${events.at(-1)}`);
        } catch (error) {
          failures.push(`${worker}-${turn}: ${(error as Error).message}`);
        }
      }
    };
    const before = upstream.requests.length;
    try {
      await Promise.all(Array.from({ length: 32 }, (_, worker) => stream(worker)));
    } finally {
      clearInterval(changer);
      upstream.script(undefined);
      await Promise.all(changes);
    }
    expect(failures).toEqual([]);
    const sent = upstream.requests.slice(before).map((req) => req.json() as unknown as SentBody);
    expect(sent).toHaveLength(128);
    for (const body of sent) {
      const note = JSON.stringify(body.system);
      const whole = resultText(body) === log;
      // Level 1 came with Bash compressed, level 4 with Bash excluded: a mix would be two snapshots in one request.
      if (note.includes('level=\\"1\\"') && !whole) seen.compressedAtLevel1++;
      else if (note.includes('level=\\"4\\"') && whole) seen.wholeAtLevel4++;
      else
        throw new Error(
          `a request ran by two snapshots: ${note.slice(0, 80)}, tool output ${whole ? 'whole' : 'compressed'}`,
        );
    }
    expect(flips).toBeGreaterThan(3);
    expect(seen.compressedAtLevel1).toBeGreaterThan(0);
    expect(seen.wholeAtLevel4).toBeGreaterThan(0);
    proxy.settings.apply({ HEADROOM_VERBOSITY: 'off', HEADROOM_EXCLUDE_TOOLS: '' });
  });
});

describe('a proxy with a key', () => {
  it('takes runtime settings only with the key', async () => {
    const keyed = await startTestProxy(upstream.url, { apiKey: 'proxy-key-123' });
    try {
      const without = await request(`${keyed.url}/admin/runtime-env`);
      await without.body.dump();
      expect(without.statusCode).toBe(401);
      const withKey = await request(`${keyed.url}/admin/runtime-env`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-headroom-key': 'proxy-key-123' },
        body: JSON.stringify({ HEADROOM_VERBOSITY: '3' }),
      });
      expect(withKey.statusCode).toBe(200);
      expect(((await withKey.body.json()) as RuntimeEnvAnswer).settings.HEADROOM_VERBOSITY?.value).toBe('3');
    } finally {
      await keyed.close(0);
    }
  });
});
