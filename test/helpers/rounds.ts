// Model responses of a turn where the model reads a shortened log back with headroom_retrieve, in the three
// wire formats, as JSON and as the SSE event sequences the APIs stream for them.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WireObject } from '../../src/formats/wire.js';
import type { SseEvent } from '../../src/sse.js';

export const LOG_ID = 'hr_3f9a1c2b7d10';

export interface Call {
  id: string;
  name: string;
  input: WireObject;
}

/** What the model produces in one round. */
export interface Round {
  thinking?: string;
  text?: string;
  calls?: Call[];
  stop?: 'end' | 'tool' | 'length';
  usage: { input: number; output: number; cacheRead?: number };
}

export const retrieveCall = (id: string): Call => ({
  id,
  name: 'headroom_retrieve',
  input: { id: LOG_ID, query: 'FATAL' },
});
export const readCall = (id: string): Call => ({ id, name: 'Read', input: { file_path: 'src/job.ts' } });

function pieces(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text];
}

function chunks(text: string, size = 9): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

// ---- Anthropic ------------------------------------------------------------------------------------------

export function anthropicResponse(round: Round, n: number): WireObject {
  const content: WireObject[] = [];
  if (round.thinking)
    content.push({ type: 'thinking', thinking: round.thinking, signature: `sig-${n}-EqQBCkYIBxgC` });
  if (round.text) content.push({ type: 'text', text: round.text });
  for (const call of round.calls ?? []) content.push({ type: 'tool_use', ...call });
  const stop = { end: 'end_turn', tool: 'tool_use', length: 'max_tokens' }[round.stop ?? 'end'];
  return {
    id: `msg_0${n}ABCDEF`,
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content,
    stop_reason: stop,
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

export function anthropicEvents(response: WireObject): SseEvent[] {
  const ev = (event: string, data: WireObject): SseEvent => ({
    event,
    data: JSON.stringify({ type: event, ...data }),
  });
  const usage = response.usage as WireObject;
  const out = [
    ev('message_start', {
      message: { ...response, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
    }),
    ev('ping', {}),
  ];
  (response.content as WireObject[]).forEach((block, index) => {
    if (block.type === 'thinking') {
      out.push(
        ev('content_block_start', {
          index,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        }),
      );
      for (const thinking of pieces(String(block.thinking))) {
        out.push(ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking } }));
      }
      out.push(
        ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } }),
      );
    } else if (block.type === 'text') {
      out.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const text of pieces(String(block.text))) {
        out.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text } }));
      }
    } else {
      out.push(ev('content_block_start', { index, content_block: { ...block, input: {} } }));
      for (const partial_json of chunks(JSON.stringify(block.input))) {
        out.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }));
      }
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

// ---- OpenAI Chat Completions ----------------------------------------------------------------------------

export function chatResponse(round: Round, n: number): WireObject {
  const message: WireObject = {
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
  const finish = { end: 'stop', tool: 'tool_calls', length: 'length' }[round.stop ?? 'end'];
  const cached = round.usage.cacheRead ?? 0;
  return {
    id: `chatcmpl-${n}Bx9`,
    object: 'chat.completion',
    created: 1_730_000_000 + n,
    model: 'gpt-4.1-2025-04-14',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage: {
      prompt_tokens: round.usage.input + cached,
      completion_tokens: round.usage.output,
      total_tokens: round.usage.input + cached + round.usage.output,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_b3f1157249',
  };
}

export function chatEvents(response: WireObject): SseEvent[] {
  const { choices, usage, object: _object, ...base } = response;
  const choice = (choices as WireObject[])[0]!;
  const message = choice.message as WireObject;
  const chunk = (delta: WireObject, finish: unknown = null): SseEvent => ({
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
    for (const content of pieces(message.content)) out.push(chunk({ content }));
  ((message.tool_calls as WireObject[] | undefined) ?? []).forEach((call, index) => {
    const fn = call.function as WireObject;
    out.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: fn.name, arguments: '' } }],
      }),
    );
    for (const args of chunks(String(fn.arguments))) {
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

// ---- OpenAI Responses -----------------------------------------------------------------------------------

export function responsesResponse(round: Round, n: number): WireObject {
  const output: WireObject[] = [];
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
  return {
    id: `resp_0${n}ab`,
    object: 'response',
    created_at: 1_730_000_000 + n,
    status: round.stop === 'length' ? 'incomplete' : 'completed',
    model: 'gpt-5-codex',
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    store: false,
    usage: {
      input_tokens: round.usage.input + cached,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: round.usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: round.usage.input + cached + round.usage.output,
    },
  };
}

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
  (response.output as WireObject[]).forEach((item, output_index) => {
    if (item.type === 'message') {
      const part = (item.content as WireObject[])[0]!;
      const text = String(part.text);
      out.push(
        ev('response.output_item.added', {
          output_index,
          item: { ...item, status: 'in_progress', content: [] },
        }),
      );
      const base = { item_id: item.id, output_index, content_index: 0 };
      out.push(ev('response.content_part.added', { ...base, part: { ...part, text: '' } }));
      for (const delta of pieces(text))
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
      for (const delta of chunks(String(item.arguments))) {
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

/** A loopback server answering every request with `text` as an event stream; for feeding SDK clients. */
export async function serveEventStream(text: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
