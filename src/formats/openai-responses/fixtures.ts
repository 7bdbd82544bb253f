// OpenAI Responses as Codex and the API speak it, for the format contract and the retrieve loop's tests: a
// Codex conversation (shell outputs in its JSON envelope), a request around it, a round's response and the
// typed events the API streams for it.

import OpenAI from 'openai';
import type { SseEvent } from '../../sse.js';
import {
  argumentPieces,
  defineFixtures,
  type Round,
  type SdkCall,
  type Turn,
  wordPieces,
} from '../format.contract.js';
import { objects, type WireObject } from '../wire.js';

type Input = OpenAI.Responses.ResponseInputItem;
type Output = OpenAI.Responses.ResponseOutputItem;

const TOOLS: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
    name: 'Bash',
    description: 'Runs a shell command and returns its output.',
    parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
    strict: false,
  },
  {
    type: 'function',
    name: 'Grep',
    description: 'Searches files with ripgrep.',
    parameters: { type: 'object', properties: { pattern: { type: 'string' }, path: { type: 'string' } } },
    strict: false,
  },
];

const userMessage = (text: string): Input => ({
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text }],
});

/** Codex reports a shell result as JSON: the output and what the command did. */
const envelope = (output: string) =>
  JSON.stringify({ output, metadata: { exit_code: 0, duration_seconds: 0.4 } });

/** Codex's input: its environment context first, then each turn's question, calls, outputs and answer. */
function conversation(turns: readonly Turn[]): unknown[] {
  return [
    userMessage(
      '<environment_context>\n  <cwd>/work/app</cwd>\n  <shell>bash</shell>\n</environment_context>',
    ),
    ...turns.flatMap((turn): unknown[] => [
      userMessage(turn.question),
      ...turn.calls.map(
        (call): Input => ({
          type: 'function_call',
          call_id: call.id,
          name: call.name,
          arguments: JSON.stringify(call.input),
        }),
      ),
      ...turn.calls.map(
        (call): Input => ({ type: 'function_call_output', call_id: call.id, output: envelope(call.output) }),
      ),
      ...(turn.answer
        ? [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: turn.answer }] }]
        : []),
    ]),
  ];
}

function requestBody(input: readonly unknown[]): WireObject {
  const params = {
    model: 'gpt-5-codex',
    instructions: 'You are Codex, a coding agent.',
    tools: TOOLS,
    tool_choice: 'auto',
    parallel_tool_calls: false,
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
  } satisfies Omit<OpenAI.Responses.ResponseCreateParamsStreaming, 'input'>;
  return { ...params, input };
}

export function responsesResponse(round: Round, n: number): WireObject {
  const output: Output[] = [];
  if (round.thinking) {
    output.push({ id: `rs_${n}a`, type: 'reasoning', summary: [], encrypted_content: `gAAAA${n}` });
  }
  if (round.text) {
    output.push({
      id: `msg_${n}b`,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: round.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of round.calls ?? []) {
    output.push({
      id: `fc_${call.id}`,
      type: 'function_call',
      status: 'completed',
      call_id: call.id,
      name: call.name,
      arguments: JSON.stringify(call.input),
    });
  }
  const cached = round.usage.cacheRead ?? 0;
  const response = {
    id: `resp_0${n}ab`,
    object: 'response',
    created_at: 1_730_000_000 + n,
    status: round.stop === 'length' ? 'incomplete' : 'completed',
    error: null,
    incomplete_details: round.stop === 'length' ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    metadata: {},
    model: 'gpt-5-codex',
    output,
    parallel_tool_calls: true,
    temperature: 1,
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    store: false,
    usage: {
      input_tokens: round.usage.input + cached,
      input_tokens_details: { cached_tokens: cached, cache_write_tokens: 0 },
      output_tokens: round.usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: round.usage.input + cached + round.usage.output,
    },
  } satisfies Omit<OpenAI.Responses.Response, 'output_text'> & { store: boolean };
  return response;
}

/** Typed events, numbered by `sequence_number`: created, in progress, each item's events, the closing one. */
export function responsesEvents(response: WireObject): SseEvent[] {
  let sequence = 0;
  const ev = (type: string, data: WireObject): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: sequence++, ...data }),
  });
  const opening = { ...response, status: 'in_progress', output: [], usage: null };
  const out = [
    ev('response.created', { response: opening }),
    ev('response.in_progress', { response: opening }),
  ];
  objects(response.output).forEach((item, output_index) => {
    if (item.type === 'message') {
      const part = objects(item.content)[0]!;
      const text = String(part.text);
      out.push(
        ev('response.output_item.added', {
          output_index,
          item: { ...item, status: 'in_progress', content: [] },
        }),
      );
      const base = { item_id: item.id, output_index, content_index: 0 };
      out.push(ev('response.content_part.added', { ...base, part: { ...part, text: '' } }));
      for (const delta of wordPieces(text))
        out.push(ev('response.output_text.delta', { ...base, delta, logprobs: [] }));
      out.push(ev('response.output_text.done', { ...base, text, logprobs: [] }));
      out.push(ev('response.content_part.done', { ...base, part }));
    } else if (item.type === 'function_call') {
      out.push(
        ev('response.output_item.added', {
          output_index,
          item: { ...item, status: 'in_progress', arguments: '' },
        }),
      );
      for (const delta of argumentPieces(String(item.arguments))) {
        out.push(ev('response.function_call_arguments.delta', { item_id: item.id, output_index, delta }));
      }
      out.push(
        ev('response.function_call_arguments.done', {
          item_id: item.id,
          output_index,
          arguments: item.arguments,
        }),
      );
    } else {
      out.push(ev('response.output_item.added', { output_index, item }));
    }
    out.push(ev('response.output_item.done', { output_index, item }));
  });
  const closing = response.status === 'completed' ? 'response.completed' : 'response.incomplete';
  out.push(ev(closing, { response }));
  return out;
}

const client = (baseUrl: string) =>
  new OpenAI({ apiKey: 'test-key', baseURL: `${baseUrl}/v1`, maxRetries: 0 });
const ask = {
  model: 'gpt-5-codex',
  input: 'Why did the nightly job fail?',
} satisfies OpenAI.Responses.ResponseCreateParamsNonStreaming;

export const fixtures = defineFixtures({
  path: '/v1/responses',
  conversation,
  requestBody,
  response: responsesResponse,
  events: responsesEvents,
  text: (response) =>
    objects(response.output)
      .filter((item) => item.type === 'message')
      .flatMap((item) => objects(item.content))
      .filter((part) => part.type === 'output_text')
      .map((part) => String(part.text))
      .join(''),
  stop: (response) =>
    response.status === 'incomplete'
      ? 'length'
      : objects(response.output).some((item) => item.type === 'function_call')
        ? 'tool'
        : 'end',
  sdk: {
    async stream(baseUrl) {
      const stream = client(baseUrl).responses.stream(ask);
      const deltas: string[] = [];
      stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
      const final = await stream.finalResponse();
      const calls = final.output.flatMap((item): SdkCall[] =>
        item.type === 'function_call' ? [{ name: item.name, args: JSON.parse(item.arguments) }] : [],
      );
      return { text: deltas.join(''), calls, final: { ...final }, error: final.error?.message };
    },
    create: (baseUrl) => client(baseUrl).responses.create(ask),
  },
});
