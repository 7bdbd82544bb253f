// The same conversation through two fresh proxy processes, the second while another process keeps a core
// busy, goes upstream as the same bytes: what is compressed depends on the request, never on the machine.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { anthropicConversation, turnsFor } from './helpers/conversation.js';
import { proxyChildrenPerFile, spawnProxyProcess } from './helpers/proxy-process.js';
import { realOutputs } from './helpers/real-outputs.js';

const proxies = proxyChildrenPerFile();
const { children } = proxies;

const freshEnv = () => ({
  HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-determinism-config-')),
  HEADROOM_CACHE_DIR: mkdtempSync(join(tmpdir(), 'headroom-determinism-cache-')),
  HEADROOM_ANTHROPIC_UPSTREAM: proxies.upstream.url,
  PATH: process.env.PATH ?? '',
});

/** A resumed session: every generated output three times over, each rerun a little different. */
function resumedConversation() {
  const items = realOutputs().slice(0, 12);
  const reruns = [0, 1, 2].flatMap((run) =>
    items.map((item) => ({ ...item, text: run === 0 ? item.text : `${item.text}\n(run ${run})\n` })),
  );
  return anthropicConversation(turnsFor(reruns)) as Anthropic.MessageParam[];
}

async function forwardedThroughFreshProxy(messages: Anthropic.MessageParam[]): Promise<Buffer> {
  const { url } = await spawnProxyProcess([], freshEnv(), children);
  const before = proxies.upstream.requests.length;
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 });
  await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages });
  const [sent] = proxies.upstream.requests.slice(before);
  if (!sent) throw new Error('nothing reached the upstream');
  return sent.body;
}

describe('determinism across proxies', () => {
  it('forwards identical bytes from two fresh proxies, one with another core saturated', async () => {
    const messages = resumedConversation();
    expect(JSON.stringify(messages).split('"type":"tool_result"').length - 1).toBe(36);
    const idle = await forwardedThroughFreshProxy(messages);

    // A busy loop in another process for as long as the second proxy works.
    const busy = execa('node', ['-e', 'for (;;) {}'], { reject: false });
    children.push(busy);
    const loaded = await forwardedThroughFreshProxy(messages);
    busy.kill('SIGKILL');

    expect(idle.length).toBeLessThan(JSON.stringify(messages).length / 2);
    expect(loaded.equals(idle)).toBe(true);
  }, 60_000);
});
