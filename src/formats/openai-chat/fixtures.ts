// OpenAI Chat Completions as agents and the API speak it, for the format contract and the retrieve loop's
// tests: a conversation, a request around it, a round's completion and the chunks the API streams for it.

import OpenAI from 'openai';
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
import { isObject, objects, type WireObject } from '../wire.js';
import { chatMessage } from './response.js';

type Delta = OpenAI.ChatCompletionChunk.Choice.Delta;

const TOOLS: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'Bash',
      description: 'Run a shell command',
      parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'Grep',
      description: 'Search files with ripgrep',
      parameters: { type: 'object', properties: { pattern: { type: 'string' }, path: { type: 'string' } } },
    },
  },
];

/** A system prompt, then each turn: the question (later ones as text parts), the calls, a tool message each. */
function conversation(turns: readonly Turn[]): OpenAI.ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: 'You are a coding agent.' },
    ...turns.flatMap((turn, t): OpenAI.ChatCompletionMessageParam[] => [
      { role: 'user', content: t === 0 ? turn.question : [{ type: 'text', text: turn.question }] },
      {
        role: 'assistant',
        content: null,
        tool_calls: turn.calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.input) },
        })),
      },
      ...turn.calls.map((call) => ({ role: 'tool' as const, tool_call_id: call.id, content: call.output })),
      ...(turn.answer ? [{ role: 'assistant' as const, content: turn.answer }] : []),
    ]),
  ];
}

function requestBody(messages: readonly unknown[]): WireObject {
  const params = {
    model: 'gpt-4.1',
    tools: TOOLS,
    stream: true,
    stream_options: { include_usage: true },
  } satisfies Omit<OpenAI.ChatCompletionCreateParamsStreaming, 'messages'>;
  return { ...params, messages };
}

const FINISH_REASONS: Record<Stop, OpenAI.ChatCompletion.Choice['finish_reason']> = {
  end: 'stop',
  tool: 'tool_calls',
  length: 'length',
};

export function chatResponse(round: Round, n: number): WireObject {
  const message: OpenAI.ChatCompletionMessage = {
    role: 'assistant',
    content: round.text ?? null,
    refusal: null,
    annotations: [],
  };
  if (round.calls?.length) {
    message.tool_calls = round.calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.input) },
    }));
  }
  const cached = round.usage.cacheRead ?? 0;
  const completion = {
    id: `chatcmpl-${n}Bx9`,
    object: 'chat.completion',
    created: 1_730_000_000 + n,
    model: 'gpt-4.1-2025-04-14',
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH_REASONS[round.stop ?? 'end'] }],
    usage: {
      prompt_tokens: round.usage.input + cached,
      completion_tokens: round.usage.output,
      total_tokens: round.usage.input + cached + round.usage.output,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_b3f1157249',
  } satisfies OpenAI.ChatCompletion;
  return completion;
}

/**
 * `data:` chunks as the API streams them with `stream_options.include_usage`: a role chunk, content, each
 * tool call's id and name then its argument pieces, the finish chunk, the usage chunk, `[DONE]`.
 */
export function chatEvents(response: WireObject): SseEvent[] {
  const { choices, usage, object: _object, ...base } = response;
  const choice = objects(choices)[0] ?? {};
  const message = chatMessage(response);
  const chunk = (delta: Delta, finish: unknown = null): SseEvent => ({
    event: '',
    data: JSON.stringify({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      usage: null,
    }),
  });
  const out = [chunk({ role: 'assistant', content: '', refusal: null })];
  if (typeof message.content === 'string')
    for (const content of wordPieces(message.content)) out.push(chunk({ content }));
  objects(message.tool_calls).forEach((call, index) => {
    const fn = isObject(call.function) ? call.function : {};
    const id = String(call.id);
    out.push(
      chunk({
        tool_calls: [{ index, id, type: 'function', function: { name: String(fn.name), arguments: '' } }],
      }),
    );
    for (const args of argumentPieces(String(fn.arguments))) {
      out.push(chunk({ tool_calls: [{ index, function: { arguments: args } }] }));
    }
  });
  out.push(chunk({}, choice.finish_reason));
  out.push({
    event: '',
    data: JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage }),
  });
  out.push({ event: '', data: '[DONE]' });
  return out;
}

const client = (baseUrl: string) =>
  new OpenAI({ apiKey: 'test-key', baseURL: `${baseUrl}/v1`, maxRetries: 0 });
const ask = {
  model: 'gpt-4.1',
  messages: [{ role: 'user', content: 'Why did the nightly job fail?' }],
} satisfies OpenAI.ChatCompletionCreateParamsNonStreaming;

export const fixtures = defineFixtures({
  path: '/v1/chat/completions',
  conversation,
  requestBody,
  response: chatResponse,
  events: chatEvents,
  text: (response) => {
    const content = chatMessage(response).content;
    return typeof content === 'string' ? content : '';
  },
  stop: (response) => stopOf(FINISH_REASONS, objects(response.choices)[0]?.finish_reason),
  sdk: {
    async stream(baseUrl) {
      const stream = client(baseUrl).chat.completions.stream({
        ...ask,
        stream_options: { include_usage: true },
      });
      const deltas: string[] = [];
      stream.on('content', (delta) => deltas.push(delta));
      const final = await stream.finalChatCompletion();
      const calls = (final.choices[0]?.message.tool_calls ?? []).flatMap((call) =>
        call.type === 'function'
          ? [{ name: call.function.name, args: JSON.parse(call.function.arguments) }]
          : [],
      );
      return { text: deltas.join(''), calls, final: { ...final } };
    },
    create: (baseUrl) => client(baseUrl).chat.completions.create(ask),
  },
});
