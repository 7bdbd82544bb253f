// The kompress model on the threads that run it for real: the proxy's compression threads, the proxy
// itself, and `headroom compress`, each giving the bytes the engine gives on the caller's own thread.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/compress/engine.js';
import { formatNamed } from '../src/formats/index.js';
import { engineOptionsFor } from '../src/headroom.js';
import { rewriteBody } from '../src/proxy/compression.js';
import { CompressionThreads } from '../src/proxy/compression-threads.js';
import { startFakeUpstream } from './helpers/fake-upstream.js';
import { SPEC_WORDS, specProse, writeTinyModel } from './helpers/kompress-model.js';
import { builtCompressionThread, startTestProxy, testConfig, waitForRows } from './helpers/proxy.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const home = mkdtempSync(join(tmpdir(), 'headroom-kompress-'));
const model = writeTinyModel(join(home, 'model'), { words: SPEC_WORDS, shape: 'logits', positions: 64 });
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** An Anthropic request whose one tool output is a long issue thread of prose. */
function proseRequest(): string {
  const id = 'toolu_thread';
  return JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 256,
    messages: [
      { role: 'user', content: 'summarise the deploy thread' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id, name: 'WebFetch', input: { url: 'https://x.test/t' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: specProse(80) }] },
    ],
  });
}

/** A rewrite by the engine's own settings: compression on, nothing sent whole, no history. */
const asConfigured = { compress: true, engine: {}, sendWhole: new Set<string>() };

describe('kompress beside the event loop', () => {
  const config = testConfig({ kompressModel: model });
  const format = formatNamed('anthropic');

  it('compression threads rewrite a body to the bytes the engine gives here', async () => {
    const options = engineOptionsFor(config);
    const threads = new CompressionThreads(options, builtCompressionThread()!, { size: 2 });
    try {
      const engine = createEngine(options);
      await engine.init();
      const body = Buffer.from(proseRequest());
      const here = rewriteBody(engine, format, '/v1/messages', body, asConfigured);
      expect(here.body).toBeDefined();
      expect(Buffer.from(here.body!).toString()).toContain('words dropped by the kompress model');
      const there = await threads.rewrite(format, '/v1/messages', body, asConfigured);
      expect(Buffer.from(there.body!).equals(Buffer.from(here.body!))).toBe(true);
    } finally {
      await threads.close();
    }
  });

  it('the proxy sends the model the kept words and records the kompress transform', async () => {
    const upstream = await startFakeUpstream();
    const proxy = await startTestProxy(upstream.url, { kompressModel: model });
    try {
      const response = await fetch(`${proxy.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test' },
        body: proseRequest(),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      const sent = upstream.requests[0]!.json() as { messages: { content: { content?: string }[] }[] };
      const output = sent.messages[2]!.content[0]!.content!;
      expect(output).toMatch(/\d+ of \d+ words dropped by the kompress model; headroom_retrieve id=hr_/);
      expect(output).toContain('deploy');
      expect(output).not.toMatch(/\breally\b/);
      const [row] = await waitForRows(proxy, 1);
      expect(row?.transforms?.kompress).toBe(1);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });

  it('headroom compress prints the bytes the engine gives here, and says why it ran the text rules without a model', async () => {
    const file = join(home, 'thread.md');
    const text = specProse(80);
    writeFileSync(file, text);
    const env = { HEADROOM_CACHE_DIR: join(home, 'cache'), HEADROOM_CONFIG_DIR: join(home, 'config') };
    const run = (args: string[]) =>
      execa(process.execPath, [resolve(root, 'bin/run.js'), 'compress', file, '--kind', 'text', ...args], {
        env,
        reject: false,
      });
    const engine = createEngine({ kompress: { mode: 'auto', model } });
    await engine.init();
    const expected = engine.compressText(text, { kind: 'text' }).text;
    const withModel = await run(['--kompress-model', model]);
    expect(withModel.exitCode).toBe(0);
    expect(withModel.stdout).toBe(expected);
    expect(withModel.stderr).toMatch(/^headroom: text, kompress transform: \d+ → \d+ tokens/m);

    const without = await run(['--verbose']);
    expect(without.exitCode).toBe(0);
    expect(without.stderr).toContain(
      'headroom: kompress: no model configured (set HEADROOM_KOMPRESS_MODEL); the text rules run',
    );
    // Two long paragraphs give the extractive rules nothing to choose from: without the model the text goes whole.
    expect(without.stderr).toMatch(/^headroom: text, unchanged \(no-gain\)/m);

    const badRatio = await run(['--kompress-model', model, '--target-ratio', '2']);
    expect(badRatio.exitCode).toBe(2);
    expect(badRatio.stderr).toMatch(/target-ratio must be a number from 0 to 1/);
  });
});
