import { describe, expect, it } from 'vitest';
import { realOutputs } from '../../test/helpers/real-outputs.js';
import { createEngine } from '../compress/engine.js';
import { stubKey } from '../compress/history.js';
import { anthropic } from '../formats/anthropic/index.js';
import { compressRequestBody } from '../formats/request.js';
import type { WireObject } from '../formats/wire.js';
import { decideHistory, type HistoryJob } from './decide.js';

const engine = createEngine();
const outputs = realOutputs().filter((item) => item.text.length > 4000);

/** A Claude Code request after `n` runs of the same command, each with its own real output. */
function request(n: number, question = 'why do the tests fail?'): WireObject {
  const messages: unknown[] = [{ role: 'user', content: question }];
  for (let i = 0; i < n; i++) {
    messages.push({
      role: 'assistant',
      content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'Bash', input: { command: 'npm test' } }],
    });
    messages.push({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: `toolu_${i}`, content: outputs[i % outputs.length]!.text },
      ],
    });
  }
  return { model: 'claude-sonnet-4-5', system: 'You are Claude Code.', tools: [], messages };
}

const job = (over: Partial<HistoryJob> = {}): HistoryJob => ({
  mode: 'cold',
  now: 0,
  conversations: [],
  stubs: [],
  ...over,
});

describe('decideHistory', () => {
  it('sets aside at a rewrite point what is stale, and a later request of the conversation carries it', () => {
    const body = request(8);
    const { decision, stubs } = decideHistory(engine, anthropic, body, 100_000, job());
    expect(decision.point).toBe('new');
    // The first 4 runs of `npm test`, older than the latest 4 turns, are superseded by the later runs.
    expect(decision.stubbed.map((stub) => stub.reason)).toEqual([
      'superseded-command',
      'superseded-command',
      'superseded-command',
      'superseded-command',
    ]);
    const later = decideHistory(
      engine,
      anthropic,
      request(9),
      100_000,
      job({
        stubs: decision.stubbed,
        conversations: [
          {
            id: decision.conversation,
            lastTs: 0,
            lifetimeMs: 300_000,
            cacheRead: 9_000,
            cacheWrite: 100,
            promptTokens: 9_100,
            rewrote: true,
          },
        ],
      }),
    );
    expect(later.decision.point).toBeUndefined();
    expect([...later.stubs.keys()]).toEqual([...stubs.keys()]);
    const sent = compressRequestBody(engine, anthropic, request(9), {}, later.stubs);
    expect(sent.stubs.applied).toBe(4);
  });

  it('carries only its own conversation’s stubs', () => {
    const { decision } = decideHistory(engine, anthropic, request(8), 100_000, job());
    const other = decideHistory(
      engine,
      anthropic,
      request(8, 'is the build green?'),
      100_000,
      job({ mode: 'off', stubs: decision.stubbed }),
    );
    expect(other.decision.conversation).not.toBe(decision.conversation);
    expect(other.stubs.size).toBe(0);
    const key = stubKey({ callId: 'toolu_0', message: 2, text: outputs[0]!.text });
    expect(decision.stubbed.map((stub) => stub.key)).toContain(key);
  });
});
