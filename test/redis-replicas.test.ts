// Several built proxies, as child processes, on one real redis-server: a team's replicas behind a load
// balancer. A retrieve reaches the replica that did not compress the original and is answered; one
// `headroom stats` and any replica's /stats/stream see every replica's rows; and a Redis outage under a running proxy costs compression,
// never a request, and the proxy compresses again once Redis is back.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { execa } from 'execa';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markerIds } from '../src/compress/marker.js';
import { anthropicConversation, turnsFor } from './helpers/conversation.js';
import { answer, type ReceivedRequest } from './helpers/fake-upstream.js';
import { type ProxyProcess, proxyChildrenPerFile, spawnProxyProcess } from './helpers/proxy-process.js';
import { realOutput } from './helpers/real-outputs.js';
import { hasRedisServer, type RedisServer, redisTestName, startRedisServer } from './helpers/redis-server.js';
import { until } from './helpers/until.js';

const proxies = proxyChildrenPerFile();
const bin = join(import.meta.dirname, '..', 'bin', 'run.js');
const SLOW = { timeout: 120_000 };

const item = realOutput('json-npm-explain-debug');
/** The original as it appears inside a JSON request body. */
const originalInJson = JSON.stringify(item.text).slice(1, -1);
const RETRIEVE_CALL = 'call_hr_replica';
const FINAL = 'body-parser, express, finalhandler and router depend on debug directly.';
const tools = [
  {
    name: 'Bash',
    description: 'Run a shell command',
    input_schema: { type: 'object' as const, properties: { command: { type: 'string' } } },
  },
];

let redis: RedisServer;
beforeAll(async () => {
  if (hasRedisServer) redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

/** A proxy process of its own (config and cache dirs its own: nothing shared but Redis) on `store`. */
function replica(store: string): Promise<ProxyProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-replica-'));
  return spawnProxyProcess(
    [],
    {
      HEADROOM_CONFIG_DIR: join(dir, 'config'),
      HEADROOM_CACHE_DIR: join(dir, 'cache'),
      HEADROOM_ANTHROPIC_UPSTREAM: proxies.upstream.url,
      HEADROOM_STORE: store,
    },
    proxies.children,
  );
}

const claude = (proxy: ProxyProcess) =>
  new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 });

/** An agent turn carrying the JSON tool output, which the proxy compresses. */
const withOutput = (question: string) => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 256,
  tools,
  messages: [
    ...(anthropicConversation(turnsFor([item])) as Anthropic.MessageParam[]),
    { role: 'user' as const, content: question },
  ],
});

const continues = (req: ReceivedRequest) => req.body.toString('utf8').includes(`"${RETRIEVE_CALL}"`);

/** `headroom stats --json` of the store, from a machine that never ran a proxy (its own empty cache dir). */
async function statsJson(store: string): Promise<{ totals: { requests: number; retrievals: number } }> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-replica-stats-'));
  const { stdout } = await execa('node', [bin, 'stats', '--json', '--store', store], {
    env: { HEADROOM_CONFIG_DIR: dir, HEADROOM_CACHE_DIR: dir },
    extendEnv: false,
  });
  return JSON.parse(stdout);
}

describe.skipIf(!hasRedisServer)(redisTestName('proxy replicas on one Redis'), SLOW, () => {
  it('answers on replica B a retrieve of an original replica A compressed, and one stats report counts both', async () => {
    const store = redis.freshUrl();
    const [a, b] = await Promise.all([replica(store), replica(store)]);
    const upstream = proxies.upstream;

    // B's live feed, open before anything happens, tells of every replica's rows.
    const live = await request(`${b.url}/stats/stream`);
    let feed = '';
    live.body.on('data', (chunk: Buffer) => {
      feed += chunk.toString();
    });
    // Its follower starts from the newest row when the stream opens; give it that moment.
    await new Promise((resolve) => setTimeout(resolve, 300));

    upstream.script((req) => answer(req, { text: 'noted', usage: { input: 900, output: 3 } }));
    const first = upstream.requests.length;
    await claude(a).messages.create(withOutput('Summarise that output.'));
    const compressed = upstream.requests[first]!.body.toString('utf8');
    expect(compressed).not.toContain(originalInJson);
    const [id] = markerIds(compressed);
    expect(id).toMatch(/^hr_[0-9a-f]{12}$/);

    // B never saw the output: its request holds only a question; the model asks for A's original by id.
    upstream.script((req) =>
      continues(req)
        ? answer(req, { text: FINAL, usage: { input: 5200, output: 30 } })
        : answer(req, { toolCall: { id: RETRIEVE_CALL, name: 'headroom_retrieve', input: { id } } }),
    );
    const second = upstream.requests.length;
    const message = await claude(b).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      tools,
      messages: [
        { role: 'user', content: `Which packages pull in debug directly? The npm output is ${id}.` },
      ],
    });
    const [question, continuation] = upstream.requests.slice(second);
    expect(question!.body.toString('utf8')).not.toContain(originalInJson);
    expect(continuation!.body.toString('utf8')).toContain(originalInJson);
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: FINAL })]);

    // Each replica's rows land in Redis a moment after its answer; one report from anywhere sees both.
    await until(async () => (await statsJson(store)).totals.requests === 2, "both replicas' rows", 30_000);
    expect((await statsJson(store)).totals).toMatchObject({ requests: 2, retrievals: 1 });
    const events = () =>
      [...feed.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { retrievals: number });
    await until(
      () => events().length === 2,
      () => `two rows on B's /stats/stream, got: ${feed}`,
      10_000,
    );
    // One row from each replica, A's without a retrieval and B's with one. Their order on the stream is the
    // order they reached Redis, which each replica's write-behind decides (A's larger body is counted longer).
    expect(
      events()
        .map((row) => row.retrievals)
        .sort(),
    ).toEqual([0, 1]);
    live.body.destroy();
  });

  it('forwards uncompressed while Redis is down, says so in the row, and compresses again once Redis is back', async () => {
    const outage = await startRedisServer();
    try {
      const store = outage.url(0);
      const proxy = await replica(store);
      const upstream = proxies.upstream;
      upstream.script((req) => answer(req, { text: 'noted', usage: { input: 900, output: 3 } }));
      const send = async (question: string) => {
        const before = upstream.requests.length;
        await claude(proxy).messages.create(withOutput(question));
        return upstream.requests[before]!.body.toString('utf8');
      };

      await outage.kill();
      const during = await send('What does that output say? (Redis down)');
      expect(during).toContain(originalInJson);
      expect(markerIds(during)).toEqual([]);
      expect(proxy.stderr()).toMatch(/unreachable/);

      await outage.restart();
      // The proxy reconnects on its own; until then requests keep going out whole.
      let after = '';
      await until(
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 200));
          after = await send('What does that output say? (Redis back)');
          return markerIds(after).length > 0;
        },
        'a compressed request after Redis came back',
        30_000,
      );
      expect(after).not.toContain(originalInJson);

      // The rows recorded during the outage waited in the proxy and were written once Redis came back.
      await until(async () => (await statsJson(store)).totals.requests >= 2, 'the outage row', 30_000);
      const { stdout } = await execa('node', [bin, 'stats', '--csv', '--store', store], {
        env: { HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-replica-csv-')) },
        extendEnv: false,
      });
      expect(stdout).toMatch(/could not be kept in redis:\/\/127\.0\.0\.1:\d+\/0; forwarded as sent/);
    } finally {
      await outage.stop();
    }
  });
});
