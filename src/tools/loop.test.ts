// The loop of answered tools in each wire format, with headroom_retrieve, as JSON and as streams: the model's headroom_retrieve calls
// answered from the store and continued, the rounds of turns that play out in different ways folded into
// the one answer the client sees. What every format must do in one such turn is the contract's
// (`formats/format.contract.ts`); these tables play more turns on three formats.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../test/helpers/fake-upstream.js';
import { lineCount, realOutput } from '../../test/helpers/real-outputs.js';
import { fixtures as anthropicFixtures } from '../formats/anthropic/fixtures.js';
import {
  bashCall,
  type FormatFixtures,
  LOG_ID,
  type Round,
  readCall,
  retrieveCall,
  type SdkStream,
  streamRounds,
} from '../formats/format.contract.js';
import { formatNamed } from '../formats/index.js';
import { fixtures as chatFixtures } from '../formats/openai-chat/fixtures.js';
import { fixtures as responsesFixtures } from '../formats/openai-responses/fixtures.js';
import type { FormatName } from '../formats/types.js';
import type { WireObject } from '../formats/wire.js';
import { retrieveTool } from '../retrieve/read.js';
import { RETRIEVE_ONLY, RETRIEVE_TOOL_NAME, withRetrieveTool } from '../retrieve/tool.js';
import type { SseEvent } from '../sse.js';
import { openOriginalStore } from '../store/index.js';
import type { OriginalStore } from '../store/types.js';
import { answerCalls, continueWithResults, findAnsweredCalls, mergeResponses } from './loop.js';
import { toolboxOf } from './types.js';

type LoopFormat = 'anthropic' | 'openai-chat' | 'openai-responses';

const fixtures: Record<LoopFormat, FormatFixtures> = {
  anthropic: anthropicFixtures,
  'openai-chat': chatFixtures,
  'openai-responses': responsesFixtures,
};
const FORMATS = Object.keys(fixtures) as LoopFormat[];

/** Turns as the model plays them, round by round. */
const scenarios: Record<string, Round[]> = {
  'reads the log back, then answers': [
    {
      thinking: 'The log was shortened; the FATAL lines are what matter.',
      text: 'Let me read the FATAL lines of the full log.',
      calls: [retrieveCall('call_r1')],
      stop: 'tool',
      usage: { input: 1200, output: 60, cacheRead: 5000 },
    },
    {
      text: 'The job died on an OutOfMemoryError in the reducer.',
      usage: { input: 1500, output: 40, cacheRead: 5000 },
    },
  ],
  'calls an agent tool beside headroom_retrieve, then answers': [
    {
      text: 'Checking the tests and the log.',
      calls: [bashCall('call_b1'), retrieveCall('call_r1')],
      stop: 'tool',
      usage: { input: 1200, output: 70 },
    },
    { text: 'The log shows an OutOfMemoryError.', usage: { input: 1400, output: 30 } },
  ],
  'calls an agent tool beside headroom_retrieve, and repeats it next round': [
    {
      text: 'Checking.',
      calls: [readCall('call_a1'), retrieveCall('call_r1')],
      stop: 'tool',
      usage: { input: 1000, output: 50 },
    },
    {
      text: 'Now the source.',
      calls: [readCall('call_a2')],
      stop: 'tool',
      usage: { input: 1300, output: 20 },
    },
  ],
  'runs out of rounds while still calling headroom_retrieve': [
    {
      text: 'Reading the log.',
      calls: [retrieveCall('call_r1')],
      stop: 'tool',
      usage: { input: 900, output: 30 },
    },
  ],
};

interface Expected {
  texts: string[];
  calls: string[];
  toolStop: boolean;
}

const expectations: Record<string, Expected> = {
  'reads the log back, then answers': {
    texts: [
      'Let me read the FATAL lines of the full log.',
      'The job died on an OutOfMemoryError in the reducer.',
    ],
    calls: [],
    toolStop: false,
  },
  'calls an agent tool beside headroom_retrieve, then answers': {
    texts: ['Checking the tests and the log.', 'The log shows an OutOfMemoryError.'],
    calls: ['call_b1'],
    toolStop: true,
  },
  'calls an agent tool beside headroom_retrieve, and repeats it next round': {
    texts: ['Checking.', 'Now the source.'],
    calls: ['call_a2'],
    toolStop: true,
  },
  'runs out of rounds while still calling headroom_retrieve': {
    texts: ['Reading the log.'],
    calls: [],
    toolStop: false,
  },
};

function roundsOf(format: LoopFormat, scenario: string): WireObject[] {
  return scenarios[scenario]!.map((round, i) => fixtures[format].response(round, i + 1));
}

function sumOf(rounds: Round[], key: 'input' | 'output'): number {
  return rounds.reduce(
    (total, r) => total + r.usage[key] + (key === 'input' ? (r.usage.cacheRead ?? 0) : 0),
    0,
  );
}

/** Texts, agent call ids and stop flag of a final response, whatever its format. */
function summarise(format: FormatName, response: WireObject): Expected {
  if (format === 'anthropic') {
    const content = response.content as WireObject[];
    return {
      texts: content.filter((b) => b.type === 'text').map((b) => String(b.text)),
      calls: content.filter((b) => b.type === 'tool_use').map((b) => String(b.id)),
      toolStop: response.stop_reason === 'tool_use',
    };
  }
  if (format === 'openai-chat') {
    const choice = (response.choices as WireObject[])[0]!;
    const message = choice.message as WireObject;
    return {
      texts: String(message.content ?? '').split('\n\n'),
      calls: ((message.tool_calls as WireObject[] | undefined) ?? []).map((c) => String(c.id)),
      toolStop: choice.finish_reason === 'tool_calls',
    };
  }
  const output = response.output as WireObject[];
  const calls = output.filter((i) => i.type === 'function_call').map((i) => String(i.call_id));
  return {
    texts: output
      .filter((i) => i.type === 'message')
      .map((i) => String(((i.content as WireObject[])[0] as WireObject).text)),
    calls,
    toolStop: calls.length > 0,
  };
}

function usageTotals(format: FormatName, usage: unknown): { input: number; output: number } {
  const u = usage as Record<string, number>;
  if (format === 'anthropic')
    return { input: u.input_tokens! + u.cache_read_input_tokens!, output: u.output_tokens! };
  if (format === 'openai-chat') return { input: u.prompt_tokens!, output: u.completion_tokens! };
  return { input: u.input_tokens!, output: u.output_tokens! };
}

let store: OriginalStore;
let upstream: FakeUpstream;
const log = realOutput('log-express-debug').text;
beforeAll(async () => {
  store = await openOriginalStore({ cacheDir: join(mkdtempSync(join(tmpdir(), 'headroom-loop-')), 'cache') });
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await store.close();
  await upstream.close();
});

describe.each(FORMATS)('retrieve loop over %s JSON', (format) => {
  it('answers the call from the store and continues the turn with the model turn and the result', async () => {
    const id = await store.put(log);
    expect(id).not.toBe(LOG_ID);
    const [first] = roundsOf(format, 'calls an agent tool beside headroom_retrieve, then answers');
    const { calls } = findAnsweredCalls(formatNamed(format), first!, RETRIEVE_ONLY);
    // The model asks for the lines of the error this server log holds.
    const { results, answers } = await answerCalls(
      calls.map((c) => ({ ...c, args: { id, query: 'RangeError' } })),
      toolboxOf(retrieveTool(store)),
    );
    const retrievals = answers.map((a) => a.retrieval);
    const matching = log.split('\n').filter((line) => line.includes('RangeError')).length;
    expect(matching).toBeGreaterThan(0);
    expect(results[0]!.content.split('\n')[0]).toBe(
      `[headroom: ${matching} of ${lineCount(log)} lines of ${id} match "RangeError"]`,
    );
    expect(results[0]!.content.split('\n')).toHaveLength(matching + 1);
    expect(retrievals).toEqual([{ id, bytes: Buffer.byteLength(results[0]!.content), found: true }]);

    const body = withRetrieveTool(formatNamed(format), requestBody(format));
    const next = continueWithResults(formatNamed(format), body, first!, results, RETRIEVE_ONLY);
    expect(next.tools).toEqual(body.tools);
    expect(next.model).toBe(body.model);
    const key = format === 'openai-responses' ? 'input' : 'messages';
    const before = body[key] as unknown[];
    const added = (next[key] as WireObject[]).slice(before.length);
    expect((next[key] as unknown[]).slice(0, before.length)).toEqual(before);
    expect(added).toEqual(expectedContinuation(format, first!, results[0]!.content));
  });

  it.each(Object.keys(scenarios))('merges the rounds of a turn that %s', (scenario) => {
    const rounds = roundsOf(format, scenario);
    const merged = mergeResponses(formatNamed(format), rounds, RETRIEVE_ONLY);
    expect(JSON.stringify(merged)).not.toContain('headroom_retrieve');
    expect(summarise(format, merged)).toEqual(expectations[scenario]);
    expect(usageTotals(format, merged.usage)).toEqual({
      input: sumOf(scenarios[scenario]!, 'input'),
      output: sumOf(scenarios[scenario]!, 'output'),
    });
    expect(merged.id).toBe(format === 'openai-responses' ? rounds.at(-1)!.id : rounds[0]!.id);
  });
});

function requestBody(format: FormatName): WireObject {
  const marker = `[headroom: 1,940 of 2,000 lines omitted; headroom_retrieve id=${LOG_ID}]`;
  if (format === 'anthropic') {
    return {
      model: 'claude-sonnet-4-6',
      max_tokens: 4096,
      tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object' } }],
      messages: [
        { role: 'user', content: 'Why did the nightly job fail?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_0', name: 'Bash', input: { command: 'cat job.log' } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: `INFO start\n${marker}` }],
        },
      ],
    };
  }
  if (format === 'openai-chat') {
    return {
      model: 'gpt-4.1',
      messages: [
        { role: 'user', content: 'Why did the nightly job fail?' },
        { role: 'tool', tool_call_id: 'call_0', content: `INFO start\n${marker}` },
      ],
      tools: [{ type: 'function', function: { name: 'Bash', parameters: { type: 'object' } } }],
    };
  }
  return {
    model: 'gpt-5-codex',
    store: false,
    input: [
      { role: 'user', content: 'Why did the nightly job fail?' },
      { type: 'function_call_output', call_id: 'call_0', output: `INFO start\n${marker}` },
    ],
    tools: [{ type: 'function', name: 'Bash', parameters: { type: 'object' } }],
  };
}

function expectedContinuation(format: FormatName, response: WireObject, content: string): unknown[] {
  if (format === 'anthropic') {
    return [
      {
        role: 'assistant',
        content: (response.content as WireObject[]).filter(
          (b) => b.type !== 'tool_use' || b.name === 'headroom_retrieve',
        ),
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_r1', content }] },
    ];
  }
  if (format === 'openai-chat') {
    const message = (response.choices as WireObject[])[0]!.message as WireObject;
    return [
      {
        role: 'assistant',
        content: message.content,
        tool_calls: (message.tool_calls as WireObject[]).filter(
          (c) => (c.function as WireObject).name === 'headroom_retrieve',
        ),
      },
      { role: 'tool', tool_call_id: 'call_r1', content },
    ];
  }
  return [
    ...(response.output as WireObject[]).filter(
      (i) => i.type !== 'function_call' || i.name === 'headroom_retrieve',
    ),
    { type: 'function_call_output', call_id: 'call_r1', output: content },
  ];
}

/** What the format's official SDK makes of `events` served as an answer's stream. */
function consume(format: LoopFormat, events: SseEvent[]): Promise<SdkStream> {
  upstream.queue({ kind: 'sse', events });
  return fixtures[format].sdk.stream(upstream.url);
}

describe.each(FORMATS)('retrieve loop over a %s stream', (format) => {
  it.each(Object.keys(scenarios))('gives the SDK one clean stream when the model %s', async (scenario) => {
    const rounds = roundsOf(format, scenario);
    const { events } = streamRounds(formatNamed(format), fixtures[format], rounds);
    expect(JSON.stringify(events)).not.toContain('headroom_retrieve');
    const { final, text } = await consume(format, events);
    const expected = expectations[scenario]!;
    expect(summarise(format, final)).toEqual(expected);
    expect(text).toBe(expected.texts.join(format === 'openai-chat' ? '\n\n' : ''));
    expect(usageTotals(format, final.usage)).toEqual({
      input: sumOf(scenarios[scenario]!, 'input'),
      output: sumOf(scenarios[scenario]!, 'output'),
    });
    const merged = mergeResponses(formatNamed(format), rounds, RETRIEVE_ONLY);
    expect(final.id).toBe(merged.id);
    if (format === 'anthropic') expect(final.content).toEqual(merged.content);
    if (format === 'openai-responses') expect(final.output).toMatchObject(merged.output as WireObject[]);
  });

  it('keeps one opening and one closing event with consecutive indexes', () => {
    const rounds = roundsOf(format, 'calls an agent tool beside headroom_retrieve, then answers');
    const events = streamRounds(formatNamed(format), fixtures[format], rounds).events.map((e) => e.data);
    const parsed = events.filter((data) => data !== '[DONE]').map((data) => JSON.parse(data) as WireObject);
    if (format === 'anthropic') {
      expect(parsed.filter((e) => e.type === 'message_start')).toHaveLength(1);
      expect(parsed.filter((e) => e.type === 'message_stop')).toHaveLength(1);
      const starts = parsed.filter((e) => e.type === 'content_block_start').map((e) => e.index);
      expect(starts).toEqual(starts.map((_, i) => i));
    } else if (format === 'openai-chat') {
      expect(events.filter((data) => data === '[DONE]')).toHaveLength(1);
      expect(events.at(-1)).toBe('[DONE]');
      expect(new Set(parsed.map((e) => e.id))).toEqual(new Set(['chatcmpl-1Bx9']));
    } else {
      expect(parsed.filter((e) => e.type === 'response.created')).toHaveLength(1);
      expect(parsed.filter((e) => e.type === 'response.completed')).toHaveLength(1);
      expect(parsed.map((e) => e.sequence_number)).toEqual(parsed.map((_, i) => i));
      const added = parsed.filter((e) => e.type === 'response.output_item.added').map((e) => e.output_index);
      expect(added).toEqual(added.map((_, i) => i));
    }
  });
});

describe('retrieve loop with an upstream error mid-stream', () => {
  it('passes the error on and closes nothing more', () => {
    const stream = formatNamed('anthropic').createStream(RETRIEVE_ONLY);
    const [first] = roundsOf('anthropic', 'reads the log back, then answers');
    const events = anthropicFixtures.events(first!).slice(0, 4);
    const error = {
      event: 'error',
      data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error' } }),
    };
    const out = [...events, error].flatMap((event) => stream.push(event));
    expect(out.at(-1)).toEqual(error);
    expect(stream.failed).toBe(true);
    stream.endRound();
    expect(stream.finish()).toEqual([]);
  });
});

describe('continuing a Responses turn the client does not store', () => {
  it('drops reasoning it cannot send back and unties the other items from it', () => {
    const round = responsesFixtures.response(
      {
        thinking: 'look',
        text: 'Reading.',
        calls: [retrieveCall('call_r1')],
        stop: 'tool',
        usage: { input: 1, output: 1 },
      },
      1,
    );
    const output = round.output as WireObject[];
    delete output[0]!.encrypted_content;
    const body = { model: 'gpt-5-codex', store: false, input: 'Why did the job fail?' };
    const next = continueWithResults(
      formatNamed('openai-responses'),
      body,
      round,
      [{ callId: 'call_r1', name: RETRIEVE_TOOL_NAME, content: 'FATAL oom' }],
      RETRIEVE_ONLY,
    );
    expect(next.input).toEqual([
      { role: 'user', content: 'Why did the job fail?' },
      { type: 'message', status: 'completed', role: 'assistant', content: (output[1] as WireObject).content },
      {
        type: 'function_call',
        status: 'completed',
        call_id: 'call_r1',
        name: 'headroom_retrieve',
        arguments: (output[2] as WireObject).arguments,
      },
      { type: 'function_call_output', call_id: 'call_r1', output: 'FATAL oom' },
    ]);
    const stored = continueWithResults(
      formatNamed('openai-responses'),
      { ...body, store: true },
      round,
      [],
      RETRIEVE_ONLY,
    );
    expect((stored.input as WireObject[])[1]).toEqual(output[0]);
  });
});

describe('an answer whose first block is the agent’s own tool call', () => {
  const ev = (event: string, data: WireObject = {}): SseEvent => ({
    event,
    data: JSON.stringify({ type: event, ...data }),
  });
  const events = [
    ev('message_start', {
      message: {
        id: 'msg_01tool',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 900, output_tokens: 1 },
      },
    }),
    ev('content_block_start', {
      index: 0,
      content_block: { type: 'tool_use', id: 'toolu_ls', name: 'Bash', input: {} },
    }),
    ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"command":' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '"ls"}' } }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'Listing the files.' } }),
    ev('content_block_stop', { index: 1 }),
    ev('message_delta', {
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 14 },
    }),
    ev('message_stop'),
  ];

  it('gives the text the first index and the held call the next one, as the SDK expects', async () => {
    const stream = formatNamed('anthropic').createStream(RETRIEVE_ONLY);
    const out = events.flatMap((event) => stream.push(event));
    expect(stream.endRound().calls).toEqual([]);
    out.push(...stream.finish());
    const { final, text } = await consume('anthropic', out);
    expect(text).toBe('Listing the files.');
    expect(final.content).toEqual([
      { type: 'text', text: 'Listing the files.' },
      { type: 'tool_use', id: 'toolu_ls', name: 'Bash', input: { command: 'ls' } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage).toMatchObject({ input_tokens: 900, output_tokens: 14 });
  });
});
