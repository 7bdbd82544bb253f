// Compression runs beside the proxy's event loop: while one request with megabytes of tool output is being
// compressed, another client's stream keeps getting its bytes and /health keeps answering. A compression
// thread that dies costs only its request (sent as it came) and is replaced.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../src/compress/engine.js';
import { markerIds, originalId } from '../src/compress/marker.js';
import { formatNamed } from '../src/formats/index.js';
import { engineOptionsFor } from '../src/headroom.js';
import { rewriteBody } from '../src/proxy/compression.js';
import { CompressionThreads } from '../src/proxy/compression-threads.js';
import { memoryTurnsOf } from '../src/proxy/memory-body.js';
import type { RunningProxy } from '../src/proxy/server.js';
import { answer, anthropicEvents, type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { builtCompressionThread, startTestProxy, testConfig, waitForRows } from './helpers/proxy.js';
import { sourceFile } from './helpers/source-files.js';
import { until } from './helpers/until.js';

/** A rewrite by the engine's own settings: compression on, nothing sent whole, no history. */
const asConfigured = { compress: true, engine: {}, sendWhole: new Set<string>() };

/** A distinct service log of about `bytes` characters: requests, slow ones, and the odd error. */
function serviceLog(seed: number, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const ms = (i * 37 + seed) % 997;
    const level = i % 211 === 0 ? 'ERROR' : ms > 900 ? 'WARN' : 'INFO';
    const line = `2026-12-02T10:${String(((i / 60) % 60) | 0).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z ${level} api-${seed} GET /v1/items/${(i * 7919 + seed) % 100_000} status=${level === 'ERROR' ? 500 : 200} took=${ms}ms req=${(i * 2654435761 + seed) >>> 0}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

/** An Anthropic request whose history holds `outputs` distinct command outputs of `bytes` each. */
function bigRequest(outputs: number, bytes: number): string {
  const messages: unknown[] = [{ role: 'user', content: 'find what is broken and fix it' }];
  for (let i = 0; i < outputs; i++) {
    const id = `toolu_big_${i}`;
    messages.push({
      role: 'assistant',
      content: [{ type: 'tool_use', id, name: 'Bash', input: { command: `kubectl logs deploy/api-${i}` } }],
    });
    messages.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: id, content: serviceLog(i, bytes) }],
    });
  }
  return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 512, messages });
}

/** The tool an agent's turn declares here: with it, a request is an agent turn and gets memory. */
const BASH_TOOL = { name: 'Bash', description: 'Run a command', input_schema: { type: 'object' } };

/** `request` as an agent's turn: declaring its tool and, when given, ending with the user's `next` words. */
function agentTurn(request: string, next?: string): string {
  const parsed = JSON.parse(request);
  const messages =
    next === undefined ? parsed.messages : [...parsed.messages, { role: 'user', content: next }];
  return JSON.stringify({ ...parsed, messages, tools: [BASH_TOOL] });
}

/** POST `body` to the proxy's Messages endpoint as an Anthropic client does, read the whole answer, and give its status. */
async function postMessages(proxyUrl: string, body: string | Buffer): Promise<number> {
  const sent = await fetch(`${proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test' },
    body,
  });
  await sent.arrayBuffer();
  return sent.status;
}

describe('compression beside the event loop', () => {
  let upstream: FakeUpstream;
  let proxy: RunningProxy;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    proxy = await startTestProxy(upstream.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
  });

  it('keeps another client’s stream and /health flowing while a 12 MB request is compressed', async () => {
    expect(builtCompressionThread(), 'the build has the compression thread (npm run build)').toBeDefined();
    upstream.script((req) => {
      const body = req.json();
      if (body.stream)
        return { kind: 'sse', events: anthropicEvents(req, { text: 'tick '.repeat(300) }), delayMs: 5 };
      return answer(req);
    });
    const bigBody = bigRequest(8, 1_500_000);
    // The stream: a small request whose answer arrives an event every 5 ms.
    const streamed = await fetch(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'count' }],
      }),
    });
    const reader = streamed.body!.getReader();
    await reader.read();
    const gaps: number[] = [];
    let last = performance.now();
    let ended = false;
    const reading = (async () => {
      for (;;) {
        const { done } = await reader.read();
        const now = performance.now();
        gaps.push(now - last);
        last = now;
        if (done) break;
      }
      ended = true;
    })();
    const health: number[] = [];
    const probing = (async () => {
      while (!ended) {
        const asked = performance.now();
        await fetch(`${proxy.url}/health`).then((r) => r.arrayBuffer());
        health.push(performance.now() - asked);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    expect(await postMessages(proxy.url, bigBody)).toBe(200);
    await Promise.all([reading, probing]);

    const rows = await waitForRows(proxy, 2);
    const bigRow = rows.find((row) => (row.requestBytes ?? 0) > 10_000_000)!;
    expect(bigRow.transforms?.logs).toBeGreaterThan(0);
    // The compression took long enough that running it on the event loop would have stalled both for as long.
    // On a busy machine both stretch alike, so the bound is a share of the compression's own time.
    const compressMs = bigRow.compressMs ?? 0;
    expect(compressMs).toBeGreaterThan(600);
    expect(Math.max(...gaps)).toBeLessThan(compressMs / 3);
    expect(Math.max(...health)).toBeLessThan(compressMs / 3);
  }, 60_000);

  it('keeps a thread’s originals under the ids it made, hashing none of their megabytes on the event loop', async () => {
    upstream.script((req) => answer(req));
    const outputs = 4;
    const logs = Array.from({ length: outputs }, (_, i) => serviceLog(i, 1_000_000));
    const digest = vi.spyOn(globalThis.crypto.subtle, 'digest');
    try {
      expect(await postMessages(proxy.url, bigRequest(outputs, 1_000_000))).toBe(200);
      expect(digest).not.toHaveBeenCalled();
    } finally {
      digest.mockRestore();
    }
    const sent = upstream.requests.at(-1)!.body.toString('utf8');
    const ids = logs.map(originalId);
    expect(markerIds(sent).sort()).toEqual([...ids].sort());
    for (const [i, id] of ids.entries()) expect(await proxy.originals!.get(id)).toBe(logs[i]);
  }, 60_000);
});

describe('the memory step beside the event loop', () => {
  it('reads and writes a 12 MB body for memory on a thread, never on the event loop, and sends the memory tools', async () => {
    expect(builtCompressionThread(), 'the build has the compression thread (npm run build)').toBeDefined();
    const upstream = await startFakeUpstream();
    const cacheDir = mkdtempSync(join(tmpdir(), 'headroom-memory-threads-'));
    // Compression off: reading and writing the body for memory is all the work there is on it.
    const proxy = await startTestProxy(upstream.url, { memory: true, compress: false, cacheDir });
    // The model API answers without reading the body: it runs on this thread too.
    const message = {
      id: 'msg_memory',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'done' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 10, output_tokens: 1 },
    };
    upstream.script(() => ({ kind: 'json', body: message }));
    const body = Buffer.from(agentTurn(bigRequest(8, 1_500_000)));
    // The proxy runs in this process: every JSON text it parses or writes on the event loop passes here
    // (a thread has JSON of its own). Parsing and writing 12 MB there holds every other request ~100 ms.
    const { parse, stringify } = JSON;
    const onLoop: number[] = [];
    JSON.parse = (text: string, ...rest: [never?]) => {
      onLoop.push(text.length);
      return parse(text, ...rest);
    };
    JSON.stringify = ((value: unknown, ...rest: [never?, never?]) => {
      const text = stringify(value, ...rest);
      onLoop.push(text?.length ?? 0);
      return text;
    }) as typeof JSON.stringify;
    try {
      expect(await postMessages(proxy.url, body)).toBe(200);
    } finally {
      JSON.parse = parse;
      JSON.stringify = stringify;
    }
    try {
      const forwarded = upstream.requests.at(-1)!.json() as { tools: { name: string }[] };
      expect(forwarded.tools.map((tool) => tool.name)).toContain('memory_save');
      expect(upstream.requests.at(-1)!.body.length).toBeGreaterThan(body.length);
      expect(onLoop.filter((length) => length > 1_000_000)).toEqual([]);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  }, 60_000);
});

describe('the memory step after compression', () => {
  it('takes the turns’ keys from the compression thread’s rewrite, sending the body to a thread once less', async () => {
    const upstream = await startFakeUpstream();
    const cacheDir = mkdtempSync(join(tmpdir(), 'headroom-memory-compressed-'));
    const proxy = await startTestProxy(upstream.url, { memory: true, compress: true, cacheDir });
    const reads = vi.spyOn(CompressionThreads.prototype, 'memoryTurns');
    try {
      upstream.script((req) => answer(req, { text: 'done' }));
      const body = agentTurn(bigRequest(2, 300_000), 'now fix the 500s the api logs show');
      expect(await postMessages(proxy.url, body)).toBe(200);
      const forwarded = upstream.requests.at(-1)!;
      const tools = (forwarded.json() as { tools: { name: string }[] }).tools.map((tool) => tool.name);
      expect(tools).toEqual(expect.arrayContaining(['Bash', 'headroom_retrieve', 'memory_save']));
      expect(forwarded.body.length).toBeLessThan(body.length / 4);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
      await proxy.close();
      await upstream.close();
    }
  }, 60_000);
});

describe('compression threads', () => {
  const engineOptions = engineOptionsFor(testConfig());
  const format = formatNamed('anthropic');
  const body = Buffer.from(bigRequest(3, 200_000));

  it('rewrite a body to the same bytes the engine gives on the proxy’s own thread', async () => {
    const threads = new CompressionThreads(engineOptions, builtCompressionThread()!, { size: 2 });
    try {
      const engine = createEngine(engineOptions);
      await engine.init();
      const here = rewriteBody(engine, format, '/v1/messages', body, asConfigured);
      const [first, second] = await Promise.all([
        threads.rewrite(format, '/v1/messages', body, asConfigured),
        threads.rewrite(format, '/v1/messages', body, asConfigured),
      ]);
      expect(here.body).toBeDefined();
      expect(Buffer.from(first!.body!).equals(Buffer.from(here.body!))).toBe(true);
      expect(Buffer.from(second!.body!).equals(Buffer.from(here.body!))).toBe(true);
      expect(first!.originals.map((o) => o.id)).toEqual(here.originals.map((o) => o.id));
      expect(first!.offersRetrieve).toBe(true);
    } finally {
      await threads.close();
    }
  });

  it('read the memory step’s turn keys of the body as it is sent, while rewriting it', async () => {
    const reader = { scope: 'project:/srv/app', session: 'session-1' };
    const withTools = Buffer.from(agentTurn(body.toString('utf8'), 'now fix the 500s the api logs show'));
    const threads = new CompressionThreads(engineOptions, builtCompressionThread()!, { size: 1 });
    try {
      const rewrite = await threads.rewrite(format, '/v1/messages', withTools, {
        ...asConfigured,
        memory: reader,
      });
      expect(rewrite.body).toBeDefined();
      // The keys a thread reading the compressed body for memory would give: each user turn's, the newest searched.
      const read = memoryTurnsOf(format, rewrite.body!, reader);
      expect(read).toHaveLength(2);
      expect(read?.at(-1)?.search).toBe('now fix the 500s the api logs show');
      expect(rewrite.memoryTurns).toEqual(read);
      // Without tools of its own, a compressed request still lists headroom_retrieve, as the body it sends does.
      const compressed = await threads.rewrite(format, '/v1/messages', body, {
        ...asConfigured,
        memory: reader,
      });
      expect(compressed.memoryTurns).toEqual(memoryTurnsOf(format, compressed.body!, reader));
      // A request with no tools that is sent as it came (a title request) is no agent turn: no memory.
      const title = Buffer.from(
        JSON.stringify({
          model: 'claude-haiku-4-5',
          max_tokens: 32,
          messages: [{ role: 'user', content: 'Title?' }],
        }),
      );
      const untouched = await threads.rewrite(format, '/v1/messages', title, {
        ...asConfigured,
        memory: reader,
      });
      expect(untouched.body).toBeUndefined();
      expect(untouched.memoryTurns).toBeNull();
      expect(memoryTurnsOf(format, title, reader)).toBeUndefined();
      expect((await threads.rewrite(format, '/v1/messages', body, asConfigured)).memoryTurns).toBeUndefined();
    } finally {
      await threads.close();
    }
  });

  it('load a grammar when a body first needs it and give the bytes of an engine holding every grammar', async () => {
    // Large reads of source files in two languages, and one of a third as a shell command prints it.
    const files = (['typescript', 'python', 'go'] as const).map(sourceFile);
    const messages: unknown[] = [{ role: 'user', content: 'find what is broken and fix it' }];
    files.forEach((file, i) => {
      const id = `toolu_read_${i}`;
      const call =
        i < 2
          ? { name: 'Read', input: { file_path: file.path } }
          : { name: 'Bash', input: { command: `cat ${file.path}` } };
      messages.push({ role: 'assistant', content: [{ type: 'tool_use', id, ...call }] });
      messages.push({
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: id, content: file.text }],
      });
    });
    const code = Buffer.from(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 512, messages }));
    const threads = new CompressionThreads(engineOptions, builtCompressionThread()!, { size: 1 });
    try {
      const engine = createEngine(engineOptions);
      await engine.init();
      const here = rewriteBody(engine, format, '/v1/messages', code, asConfigured);
      expect(here.stats?.blocks.map((b) => b.kind)).toEqual(['code', 'code', 'code']);
      // The thread has loaded no grammar before this body: it loads three and compresses it again.
      const first = await threads.rewrite(format, '/v1/messages', code, asConfigured);
      const again = await threads.rewrite(format, '/v1/messages', code, asConfigured);
      for (const rewrite of [first, again]) {
        expect(Buffer.from(rewrite!.body!).equals(Buffer.from(here.body!))).toBe(true);
        expect(rewrite!.stats?.blocks.map((b) => [b.kind, b.transform])).toEqual(
          here.stats?.blocks.map((b) => [b.kind, b.transform]),
        );
      }
    } finally {
      await threads.close();
    }
  });

  it('answer a small request on a second thread while a big one holds the first, and end that thread when idle', async () => {
    const threads = new CompressionThreads(engineOptions, builtCompressionThread()!, {
      size: 2,
      idleEndMs: 200,
    });
    try {
      const small = Buffer.from(bigRequest(1, 5_000));
      await threads.rewrite(format, '/v1/messages', small, asConfigured);
      expect(threads.running).toBe(1);
      const order: string[] = [];
      const big = threads
        .rewrite(format, '/v1/messages', Buffer.from(bigRequest(6, 1_500_000)), asConfigured)
        .then(() => order.push('big'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await threads.rewrite(format, '/v1/messages', small, asConfigured).then(() => order.push('small'));
      expect(threads.running).toBe(2);
      await big;
      expect(order).toEqual(['small', 'big']);
      await until(() => threads.running === 1 || undefined, 'the idle thread to end', 5000);
    } finally {
      await threads.close();
    }
  });

  it('start the first thread when warmed, before any body, and give it the first body', async () => {
    const threads = new CompressionThreads(engineOptions, builtCompressionThread()!, { size: 2 });
    try {
      expect(threads.running).toBe(0);
      threads.warm();
      threads.warm();
      expect(threads.running).toBe(1);
      const rewrite = await threads.rewrite(format, '/v1/messages', body, asConfigured);
      expect(rewrite.body).toBeDefined();
      expect(threads.running).toBe(1);
    } finally {
      await threads.close();
    }
  });

  it('warm the first thread as a proxy that compresses starts, and not one that does not', async () => {
    const upstream = await startFakeUpstream();
    const warmed = vi.spyOn(CompressionThreads.prototype, 'warm');
    try {
      const compressing = await startTestProxy(upstream.url, { compress: true });
      expect(warmed).toHaveBeenCalledTimes(1);
      await compressing.close();
      const relaying = await startTestProxy(upstream.url, { compress: false });
      expect(warmed).toHaveBeenCalledTimes(1);
      await relaying.close();
    } finally {
      warmed.mockRestore();
      await upstream.close();
    }
  });

  it('queue small bodies on one thread however many arrive at once, the way a busy proxy sends them', async () => {
    const threads = new CompressionThreads(engineOptions, builtCompressionThread()!, { size: 2 });
    try {
      const small = Buffer.from(bigRequest(1, 5_000));
      const rewrites = await Promise.all(
        Array.from({ length: 32 }, () => threads.rewrite(format, '/v1/messages', small, asConfigured)),
      );
      expect(rewrites.every((rewrite) => rewrite.body !== undefined)).toBe(true);
      expect(threads.running).toBe(1);
    } finally {
      await threads.close();
    }
  });

  it('fail the requests of a thread that dies, then compress on the proxy’s thread once threads keep dying', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-threads-'));
    const dying = join(dir, 'dying-worker.mjs');
    writeFileSync(dying, 'process.exit(3);\n');
    const warnings: string[] = [];
    const threads = new CompressionThreads(engineOptions, pathToFileURL(dying), { size: 1 }, (m) =>
      warnings.push(m),
    );
    try {
      for (let i = 0; i < 3; i++) {
        await expect(threads.rewrite(format, '/v1/messages', body, asConfigured)).rejects.toThrow(
          /exit code 3/,
        );
      }
      expect(warnings).toEqual([expect.stringMatching(/compressing on the proxy's own thread/)]);
      const rewrite = await threads.rewrite(format, '/v1/messages', body, asConfigured);
      expect(rewrite.body!.length).toBeLessThan(body.length / 2);
    } finally {
      await threads.close();
    }
  });

  it('end a thread that does not answer in time, failing only its request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-threads-'));
    const silent = join(dir, 'silent-worker.mjs');
    writeFileSync(
      silent,
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => {});\n",
    );
    const threads = new CompressionThreads(engineOptions, pathToFileURL(silent), {
      size: 1,
      jobTimeoutMs: 200,
    });
    try {
      await expect(threads.rewrite(format, '/v1/messages', body, asConfigured)).rejects.toThrow(
        /over 200 ms/,
      );
    } finally {
      await threads.close();
    }
  });
});
