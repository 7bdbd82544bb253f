// Prompt-cache safety through the proxy: an agent resends its whole history every turn, and providers bill
// a prefix they have seen at a fraction of the price. Over a 20-turn conversation every forwarded request
// must extend the previous one byte for byte, with a tools array that never changes. The fake API reports
// the cache warm, as the real ones do for turns sent close together: old turns then never change.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { anthropicConversation, openaiResponsesInput, type Turn, turnsFor } from './helpers/conversation.js';
import { answer, type FakeUpstream } from './helpers/fake-upstream.js';
import { startProxyPerFile } from './helpers/proxy.js';
import { type RealOutput, realOutputs } from './helpers/real-outputs.js';

const TURNS = 20;

/**
 * Twenty outputs of varying kinds: categories taken in turn, so logs, JSON, search, diffs... interleave; once
 * every output has had its turn the agent runs the same commands again, as agents do.
 */
function variedItems(count: number): RealOutput[] {
  const byCategory = new Map<string, RealOutput[]>();
  for (const item of realOutputs())
    byCategory.set(item.category, [...(byCategory.get(item.category) ?? []), item]);
  const queues = [...byCategory.values()];
  const rotation: RealOutput[] = [];
  for (let round = 0; rotation.length < realOutputs().length; round++) {
    for (const queue of queues) if (queue[round]) rotation.push(queue[round]!);
  }
  return Array.from({ length: count }, (_, i) => rotation[i % rotation.length]!);
}

const turns = turnsFor(variedItems(TURNS));

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile(
  (started) => {
    ({ upstream, proxy } = started);
    upstream.script((req) => answer(req, { usage: { input: 300, cacheRead: 12_000, cacheWrite: 800 } }));
  },
  {},
  { resetAfterEach: false },
);

const schema = { type: 'object' as const, properties: { command: { type: 'string' } } };

/** Send each turn's full history through the proxy; return what the upstream received for each. */
async function converse(send: (history: readonly Turn[]) => Promise<unknown>) {
  const forwarded: Record<string, unknown>[] = [];
  for (let n = 1; n <= TURNS; n++) {
    const before = upstream.requests.length;
    await send(turns.slice(0, n));
    forwarded.push(upstream.requests[before]!.json());
  }
  return forwarded;
}

function expectEachTurnExtendsTheLast(forwarded: Record<string, unknown>[], key: string) {
  for (let n = 1; n < forwarded.length; n++) {
    const previous = JSON.stringify(forwarded[n - 1]![key]);
    const current = JSON.stringify(forwarded[n]![key]);
    expect(current.startsWith(previous.slice(0, -1)), `turn ${n + 1} rewrites the history of turn ${n}`).toBe(
      true,
    );
    expect(forwarded[n]!.tools).toEqual(forwarded[0]!.tools);
  }
}

describe('cache safety over a 20-turn conversation', () => {
  it('Anthropic: every turn forwards the previous turn’s messages unchanged, and the same tools', async () => {
    const claude = new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 });
    const forwarded = await converse((history) =>
      claude.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        system: [{ type: 'text', text: 'You are a coding agent.', cache_control: { type: 'ephemeral' } }],
        tools: [{ name: 'Bash', description: 'Run a shell command', input_schema: schema }],
        messages: anthropicConversation(history) as Anthropic.MessageParam[],
      }),
    );
    expectEachTurnExtendsTheLast(forwarded, 'messages');
    // The conversation really was compressed, or this test would prove nothing.
    expect(JSON.stringify(forwarded.at(-1))).toContain('headroom_retrieve id=hr_');
  });

  it('OpenAI Responses: every turn forwards the previous turn’s input unchanged, and the same tools', async () => {
    const openai = new OpenAI({ apiKey: 'sk-test-openai', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
    const forwarded = await converse((history) =>
      openai.responses.create({
        model: 'gpt-5-codex',
        tools: [{ type: 'function', name: 'shell', strict: false, parameters: schema }],
        input: openaiResponsesInput(history) as OpenAI.Responses.ResponseInputItem[],
      }),
    );
    expectEachTurnExtendsTheLast(forwarded, 'input');
    expect(JSON.stringify(forwarded.at(-1))).toContain('headroom_retrieve id=hr_');
  });
});
