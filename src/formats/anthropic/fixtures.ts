// Anthropic Messages as Claude Code and the API speak it, for the format contract and the retrieve loop's
// tests: a conversation, a request around it, a round's message and the events the API streams for it.

import Anthropic from '@anthropic-ai/sdk';
import type { SseEvent } from '../../sse.js';
import {
  argumentPieces,
  defineFixtures,
  type Round,
  type Stop,
  stopOf,
  type Turn,
  wordPieces,
} from '../format.contract.js';
import { objects, type WireObject } from '../wire.js';

const TOOLS: Anthropic.Tool[] = [
  {
    name: 'Bash',
    description: 'Executes a given bash command in a persistent shell session.',
    input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
  },
  {
    name: 'Grep',
    description: 'A powerful search tool built on ripgrep.',
    input_schema: { type: 'object', properties: { pattern: { type: 'string' }, path: { type: 'string' } } },
  },
];

const REMINDER = '<system-reminder>\nThe TodoWrite tool hasn’t been used recently.\n</system-reminder>';

/** A tool's picture beside its text, which is no output to compress. */
const SCREENSHOT: Anthropic.ImageBlockParam = {
  type: 'image',
  source: {
    type: 'base64',
    media_type: 'image/png',
    data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  },
};

/** Claude Code's turns: an output as a string, others as text blocks (with an image), a system reminder beside them. */
function conversation(turns: readonly Turn[]): Anthropic.MessageParam[] {
  return turns.flatMap((turn, t): Anthropic.MessageParam[] => [
    { role: 'user', content: t === 0 ? turn.question : [{ type: 'text', text: turn.question }] },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me look.' },
        ...turn.calls.map((call) => ({
          type: 'tool_use' as const,
          id: call.id,
          name: call.name,
          input: call.input,
        })),
      ],
    },
    {
      role: 'user',
      content: [
        ...turn.calls.map((call, i) => ({
          type: 'tool_result' as const,
          tool_use_id: call.id,
          content: i === 0 ? call.output : [{ type: 'text' as const, text: call.output }, SCREENSHOT],
        })),
        { type: 'text', text: REMINDER },
      ],
    },
    ...(turn.answer
      ? [{ role: 'assistant' as const, content: [{ type: 'text' as const, text: turn.answer }] }]
      : []),
  ]);
}

function requestBody(messages: readonly unknown[]): WireObject {
  const params = {
    model: 'claude-sonnet-4-6',
    max_tokens: 32000,
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
    tools: TOOLS,
    stream: true,
  } satisfies Omit<Anthropic.MessageCreateParamsStreaming, 'messages'>;
  return { ...params, messages };
}

type Block = Anthropic.TextBlockParam | Anthropic.ThinkingBlockParam | Anthropic.ToolUseBlockParam;

const STOP_REASONS: Record<Stop, Anthropic.StopReason> = {
  end: 'end_turn',
  tool: 'tool_use',
  length: 'max_tokens',
};

export function anthropicResponse(round: Round, n: number): WireObject {
  const content: Block[] = [];
  if (round.thinking)
    content.push({ type: 'thinking', thinking: round.thinking, signature: `sig-${n}-EqQBCkYIBxgC` });
  if (round.text) content.push({ type: 'text', text: round.text });
  for (const call of round.calls ?? []) content.push({ type: 'tool_use', ...call });
  return {
    id: `msg_0${n}ABCDEF`,
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content,
    stop_reason: STOP_REASONS[round.stop ?? 'end'],
    stop_sequence: null,
    usage: {
      input_tokens: round.usage.input,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: round.usage.cacheRead ?? 0,
      output_tokens: round.usage.output,
      service_tier: 'standard',
    },
  };
}

/** message_start; each block's start, deltas and stop (a ping after the first start); message_delta, message_stop. */
export function anthropicEvents(response: WireObject): SseEvent[] {
  const ev = (event: string, data: WireObject): SseEvent => ({
    event,
    data: JSON.stringify({ type: event, ...data }),
  });
  const delta = (index: number, delta: Anthropic.RawContentBlockDelta) =>
    ev('content_block_delta', { index, delta } satisfies Omit<Anthropic.RawContentBlockDeltaEvent, 'type'>);
  const usage = response.usage as WireObject;
  const out = [
    ev('message_start', {
      message: { ...response, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
    }),
  ];
  objects(response.content).forEach((block, index) => {
    const start = (content_block: WireObject) => {
      out.push(ev('content_block_start', { index, content_block }));
      if (index === 0) out.push(ev('ping', {}));
    };
    if (block.type === 'thinking') {
      start({ type: 'thinking', thinking: '', signature: '' });
      for (const thinking of wordPieces(String(block.thinking)))
        out.push(delta(index, { type: 'thinking_delta', thinking }));
      out.push(delta(index, { type: 'signature_delta', signature: String(block.signature) }));
    } else if (block.type === 'text') {
      start({ type: 'text', text: '' });
      for (const text of wordPieces(String(block.text))) out.push(delta(index, { type: 'text_delta', text }));
    } else {
      start({ ...block, input: {} });
      for (const partial_json of argumentPieces(JSON.stringify(block.input)))
        out.push(delta(index, { type: 'input_json_delta', partial_json }));
    }
    out.push(ev('content_block_stop', { index }));
  });
  out.push(
    ev('message_delta', {
      delta: { stop_reason: response.stop_reason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
  );
  out.push(ev('message_stop', {}));
  return out;
}

const client = (baseUrl: string) => new Anthropic({ apiKey: 'test-key', baseURL: baseUrl, maxRetries: 0 });
const ask = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Why did the nightly job fail?' }],
} satisfies Anthropic.MessageCreateParamsNonStreaming;

export const fixtures = defineFixtures({
  path: '/v1/messages',
  conversation,
  requestBody,
  response: anthropicResponse,
  events: anthropicEvents,
  text: (response) =>
    objects(response.content)
      .filter((block) => block.type === 'text')
      .map((block) => String(block.text))
      .join(''),
  stop: (response) => stopOf(STOP_REASONS, response.stop_reason),
  sdk: {
    async stream(baseUrl) {
      const stream = client(baseUrl).messages.stream(ask);
      const deltas: string[] = [];
      stream.on('text', (delta) => deltas.push(delta));
      const final = await stream.finalMessage();
      const calls = final.content.flatMap((block) =>
        block.type === 'tool_use' ? [{ name: block.name, args: block.input }] : [],
      );
      return { text: deltas.join(''), calls, final: { ...final } };
    },
    create: (baseUrl) => client(baseUrl).messages.create(ask),
  },
});
