// The output step on its own: effort lowered only on a mechanical continuation and never added, the holdout
// arm fixed by the conversation's id, and the saving's interval on samples whose answer is known.

import { describe, expect, it } from 'vitest';
import { formatNamed } from '../formats/index.js';
import type { WireObject } from '../formats/wire.js';
import { armOf, holdoutPosition, outputSaving, t975 } from './holdout.js';
import { decideOutput, type OutputJob } from './steer.js';

const job = (over: Partial<OutputJob> = {}): OutputJob => ({
  verbosity: 'off',
  force: false,
  holdout: 0,
  effort: { to: 'low', floor: 1024 },
  now: 0,
  conversations: [],
  steered: {},
  ...over,
});

const run = (format: string, body: WireObject, over: Partial<OutputJob> = {}) =>
  decideOutput(
    formatNamed(format),
    body,
    body,
    JSON.stringify(body).length,
    { tokenCount: false, sideCall: false },
    job(over),
  );

const anthropic = (last: unknown, extra: WireObject = {}): WireObject => ({
  model: 'claude-opus-4-5',
  max_tokens: 32_000,
  tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
  messages: [
    { role: 'user', content: 'Fix the build.' },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'npm test' } }],
    },
    last,
  ],
  ...extra,
});
const toolResult = (content: string, isError = false) => ({
  role: 'user',
  content: [{ type: 'tool_result', tool_use_id: 't1', content, is_error: isError }],
});
const effortful = { output_config: { effort: 'high' }, thinking: { type: 'enabled', budget_tokens: 16_000 } };

describe('effort routing', () => {
  it('lowers the effort and thinking budget an Anthropic continuation sets', () => {
    const step = run('anthropic', anthropic(toolResult('12 passing'), effortful));
    expect(step.decision.turn).toBe('continuation');
    expect(step.body?.output_config).toEqual({ effort: 'low' });
    expect(step.body?.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(step.decision.effort).toEqual([
      { field: 'output_config.effort', from: 'high', to: 'low' },
      { field: 'thinking.budget_tokens', from: 16_000, to: 1024 },
    ]);
  });

  it('never adds an effort or a thinking budget to a request that sets none', () => {
    const body = anthropic(toolResult('12 passing'));
    const step = run('anthropic', body);
    expect(step.body).toBeUndefined();
    expect(step.decision.effort).toBeUndefined();
  });

  it('never lowers after new user text', () => {
    const body = anthropic({ role: 'user', content: 'Now make it faster.' }, effortful);
    expect(run('anthropic', body).decision.turn).toBe('user');
    expect(run('anthropic', body).body).toBeUndefined();
  });

  it('never lowers after a tool result that failed, flagged or in words', () => {
    for (const last of [toolResult('boom', true), toolResult('npm ERR!\nError: Cannot find module x')]) {
      const step = run('anthropic', anthropic(last, effortful));
      expect(step.decision.turn).toBe('after-error');
      expect(step.body).toBeUndefined();
    }
  });

  it('never raises an effort already at or below the level', () => {
    const step = run('anthropic', anthropic(toolResult('ok'), { output_config: { effort: 'low' } }));
    expect(step.body).toBeUndefined();
  });

  it('lowers reasoning_effort on a Chat continuation, and not after the user spoke', () => {
    const tools = [{ type: 'function', function: { name: 'shell' } }];
    const call = {
      role: 'assistant',
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'shell', arguments: '{}' } }],
    };
    const body = {
      model: 'gpt-5',
      reasoning_effort: 'high',
      tools,
      messages: [
        { role: 'user', content: 'go' },
        call,
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
    };
    expect(run('openai-chat', body).body?.reasoning_effort).toBe('low');
    const asked = { ...body, messages: [...body.messages, { role: 'user', content: 'and?' }] };
    expect(run('openai-chat', asked).body).toBeUndefined();
  });

  it('lowers reasoning.effort on a Responses continuation, keeping the rest of reasoning', () => {
    const body = {
      model: 'gpt-5-codex',
      reasoning: { effort: 'medium', summary: 'auto' },
      tools: [{ type: 'function', name: 'shell' }],
      input: [
        { role: 'user', content: 'go' },
        { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      ],
    };
    expect(run('openai-responses', body, { effort: { to: 'minimal', floor: 1024 } }).body?.reasoning).toEqual(
      {
        effort: 'minimal',
        summary: 'auto',
      },
    );
  });

  it('lowers a Gemini thinking budget on a continuation, and leaves a dynamic one (-1)', () => {
    const body = (budget: number) => ({
      tools: [{ functionDeclarations: [{ name: 'shell' }] }],
      generationConfig: { thinkingConfig: { thinkingBudget: budget } },
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        { role: 'model', parts: [{ functionCall: { name: 'shell', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'shell', response: { output: 'ok' } } }] },
      ],
    });
    expect(run('gemini', body(8192)).body?.generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 1024 },
    });
    expect(run('gemini', body(-1)).body).toBeUndefined();
  });

  it('leaves the holdout arm alone, and routes the steered one', () => {
    const body = anthropic(toolResult('12 passing'), effortful);
    const steps = Array.from({ length: 40 }, (_, i) =>
      run('anthropic', body, { holdout: 0.5, session: `s${i}` }),
    );
    const held = steps.filter((step) => step.decision.arm === 'holdout');
    const steered = steps.filter((step) => step.decision.arm === 'steered');
    expect(held.length).toBeGreaterThan(0);
    expect(steered.length).toBeGreaterThan(0);
    for (const step of held) expect(step.body).toBeUndefined();
    for (const step of steered) expect(step.body?.output_config).toEqual({ effort: 'low' });
  });
});

describe('holdout arms', () => {
  it('puts a conversation in the same arm every time, by its id alone', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `session-${i}:${(i * 2654435761).toString(16)}`);
    const first = ids.map((id) => armOf(id, 0.1));
    expect(ids.map((id) => armOf(id, 0.1))).toEqual(first);
    const held = first.filter((arm) => arm === 'holdout').length / ids.length;
    expect(held).toBeGreaterThan(0.08);
    expect(held).toBeLessThan(0.12);
    expect(holdoutPosition('abc')).toBe(holdoutPosition('abc'));
    expect(ids.every((id) => armOf(id, 0) === 'steered')).toBe(true);
  });
});

describe('the saving and its 95% interval', () => {
  it('is Welch on a sample worked by hand: means 3 and 5, variances 2.5, df 8', () => {
    const saving = outputSaving([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])!;
    expect(saving.perTurn).toBe(2);
    // se = sqrt(2.5/5 + 2.5/5) = 1; t(0.975, 8) = 2.306004.
    expect(saving.low).toBeCloseTo(2 - 2.306004, 5);
    expect(saving.high).toBeCloseTo(2 + 2.306004, 5);
    expect(saving.share).toBeCloseTo(0.4, 10);
  });

  it('takes the t quantile between tabled degrees of freedom and past them', () => {
    expect(t975(10)).toBeCloseTo(2.228139, 6);
    expect(t975(60)).toBeCloseTo(2.000298, 4);
    expect(t975(1e9)).toBeCloseTo(1.959964, 5);
    expect(t975(12.5)).toBeGreaterThan(t975(13));
    expect(t975(12.5)).toBeLessThan(t975(12));
  });

  it('covers the true saving about 95% of the time on simulated arms', () => {
    // A fixed generator: the same draws on every run.
    let seed = 42;
    const uniform = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const normal = () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
    let covered = 0;
    const trials = 2000;
    for (let trial = 0; trial < trials; trial++) {
      const steered = Array.from({ length: 40 }, () => 300 + 80 * normal());
      const holdout = Array.from({ length: 12 }, () => 400 + 120 * normal());
      const saving = outputSaving(steered, holdout)!;
      if (saving.low <= 100 && 100 <= saving.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });

  it('says nothing with fewer than two turns in an arm', () => {
    expect(outputSaving([1, 2, 3], [4])).toBeUndefined();
  });
});
