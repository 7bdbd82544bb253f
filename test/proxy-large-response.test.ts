// Answers far bigger than the proxy should ever hold, through the built proxy in a child process: 100 MB of
// events, 100 MB of one event that never ends, 100 MB of JSON. The client gets every byte in order, the
// proxy's peak memory grows by less than the answer (it relays, it does not collect), the row is recorded and
// the next request is served.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { RequestRow } from '../src/store/types.js';
import { PROMPTLY } from './helpers/proxy.js';
import { type ProxyProcess, proxyChildrenPerFile, spawnProxyProcess } from './helpers/proxy-process.js';
import { until } from './helpers/until.js';

const MB = 1024 * 1024;
const ANSWER_BYTES = 100 * MB;

const proxies = proxyChildrenPerFile();
const { children } = proxies;

const headers = {
  'x-api-key': 'sk-ant-test',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
};
const question = (stream: boolean) =>
  JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    stream,
    messages: [{ role: 'user', content: 'Print the whole build log.' }],
  });

/** `bytes` of `piece` over and over, after `head`: the same chunks every time it is called. */
function* repeated(head: string, piece: Buffer, bytes: number): Generator<Buffer> {
  yield Buffer.from(head);
  for (let sent = head.length; sent < bytes; sent += piece.length) yield piece;
}

const delta = Buffer.from(
  `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'compiling module '.repeat(900) } })}\n\n`,
);
const start = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_big', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], usage: { input_tokens: 12, output_tokens: 1 } } })}\n\n`;

const ANSWERS = [
  {
    what: 'an event stream of 16 KB events',
    stream: true,
    type: 'text/event-stream',
    chunks: () => repeated(start, delta, ANSWER_BYTES),
  },
  {
    what: 'an event stream whose one event never ends',
    stream: true,
    type: 'text/event-stream',
    chunks: () => repeated('event: content_block_delta\ndata: ', Buffer.alloc(64 * 1024, 'y'), ANSWER_BYTES),
  },
  {
    what: 'a JSON answer',
    stream: false,
    type: 'application/json',
    chunks: () =>
      repeated(
        '{"type":"message","content":[{"type":"text","text":"',
        Buffer.alloc(64 * 1024, 'z'),
        ANSWER_BYTES,
      ),
  },
];

function digest(chunks: Iterable<Buffer>): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The process's resident memory now and at its peak, in MB (Linux's own accounting of it). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
  return { rss: mb('VmRSS'), peak: mb('VmHWM') };
}

async function newestRow(proxy: ProxyProcess, count: number): Promise<RequestRow> {
  return until(async () => {
    const response = await request(`${proxy.url}/stats?limit=1`);
    const stats = (await response.body.json()) as { totals: { requests: number }; recent: RequestRow[] };
    return stats.totals.requests >= count && stats.recent[0];
  }, `row ${count} in ${proxy.url}/stats`);
}

// Each case moves 100 MB over loopback twice (upstream to proxy to client): a loaded machine takes a while.
describe('an answer of 100 MB', { timeout: 120_000 }, () => {
  for (const answer of ANSWERS) {
    it(`relays ${answer.what} whole while the proxy's memory grows by less than the answer`, async () => {
      const env = {
        HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-large-config-')),
        HEADROOM_CACHE_DIR: mkdtempSync(join(tmpdir(), 'headroom-large-cache-')),
        HEADROOM_ANTHROPIC_UPSTREAM: proxies.upstream.url,
      };
      const proxy = await spawnProxyProcess([], env, children);
      const pid = proxy.child.pid!;
      // One ordinary exchange first, so the memory measured from here is what the big answer costs.
      const warmUp = await request(`${proxy.url}/v1/messages`, {
        method: 'POST',
        headers,
        body: question(false),
      });
      await warmUp.body.dump();
      await newestRow(proxy, 1);
      try {
        // Restart the peak from the current size (a process may reset its own and its children's).
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {}
      const before = memoryOf(pid);

      proxies.upstream.queue({
        kind: 'body',
        headers: { 'content-type': answer.type },
        chunks: answer.chunks(),
      });
      const response = await request(`${proxy.url}/v1/messages`, {
        method: 'POST',
        headers,
        body: question(answer.stream),
        ...PROMPTLY,
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe(answer.type);
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of response.body) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      expect({ bytes, sha256: hash.digest('hex') }).toEqual(digest(answer.chunks()));

      const grown = memoryOf(pid).peak - before.rss;
      expect(grown, `peak ${memoryOf(pid).peak.toFixed(0)} MB from ${before.rss.toFixed(0)} MB`).toBeLessThan(
        ANSWER_BYTES / MB,
      );
      expect(await newestRow(proxy, 2)).toMatchObject({ status: 200, stream: answer.stream, error: null });

      const next = await request(`${proxy.url}/v1/messages`, {
        method: 'POST',
        headers,
        body: question(false),
      });
      expect(next.statusCode).toBe(200);
      expect(await next.body.json()).toMatchObject({ type: 'message', role: 'assistant' });
    });
  }
});
