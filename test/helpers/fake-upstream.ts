// A fake model API on loopback that speaks the Anthropic Messages, OpenAI Chat Completions, Responses and
// Gemini generateContent wire formats (JSON and SSE, realistic usage and event sequences, tool calls) and
// records what it receives.
//
//   const upstream = await startFakeUpstream();
//   upstream.url                          // http://127.0.0.1:<port>, a base URL for SDKs or the proxy
//   upstream.requests                     // every request received: method, url, headers, raw body bytes
//   upstream.queue(reply, ...)            // answer the next requests with these replies, in order
//   upstream.script((req) => reply)       // decide per request (return undefined for the default answer)
//   await upstream.close();
//
// By default every request gets a plausible success: the endpoint's usual JSON, or its event stream when the
// body asks for `stream: true` (Gemini: `:streamGenerateContent`, SSE with `?alt=sse`, else a JSON array). Replies: `{ kind: 'json', status, headers, body, resetAfterBytes }`, `{ kind: 'sse', events,
// delayMs, holdAfter + release, resetAfter, trailer }`, `{ kind: 'body', status, headers, chunks }` (bytes as a
// generator yields them, with backpressure), `{ kind: 'reset' }` (socket destroyed) and `{ kind: 'hang' }`.
// `answer(req, content)` builds the default reply with other content, e.g. a tool call:
//   upstream.script((req) => (req.index === 0 ? answer(req, { toolCall: { name: 'Read', input: {} } }) : undefined));

import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { modelInPath } from '../../src/proxy/routes.js';

export interface ReceivedRequest {
  /** 0 for the first request this fake received. */
  index: number;
  method: string;
  /** Path and query string exactly as received. */
  url: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Header names in the case and order they arrived, alternating with values. */
  rawHeaders: string[];
  body: Buffer;
  /** The body parsed as JSON (throws if it is not JSON). */
  json(): JsonObject;
  /** Resolves when the exchange is over: `completed` is false if the client closed the connection first. */
  closed: Promise<{ completed: boolean }>;
}

export type JsonObject = Record<string, unknown>;

export interface SseEvent {
  event?: string;
  /** An object is sent as JSON; a string as is (e.g. '[DONE]'). */
  data: unknown;
}

export type Reply =
  | {
      kind: 'json';
      status?: number;
      headers?: Record<string, string>;
      body: unknown;
      /** Send this many bytes of the body, then destroy the socket (an upstream crash mid-answer). */
      resetAfterBytes?: number;
    }
  | {
      kind: 'sse';
      status?: number;
      headers?: Record<string, string>;
      events: SseEvent[];
      /** Pause before every event after the first. */
      delayMs?: number;
      /** Send this many events, then wait for `release` before sending the rest. */
      holdAfter?: number;
      release?: Promise<unknown>;
      /** Destroy the socket after this many events (an upstream crash mid-stream). */
      resetAfter?: number;
      /** End events with CRLF line breaks, as Google's servers do. */
      crlf?: boolean;
      /** Bytes sent as they are after the events, before the end: e.g. a last event cut off mid-line. */
      trailer?: string;
    }
  | {
      kind: 'body';
      status?: number;
      headers?: Record<string, string>;
      /** Sent as produced, each chunk once the proxy has taken the one before: a body too big to hold. */
      chunks: Iterable<Buffer | string> | AsyncIterable<Buffer | string>;
    }
  | { kind: 'reset' }
  | { kind: 'hang' };

export type Script = (req: ReceivedRequest) => Reply | undefined | Promise<Reply | undefined>;

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  id?: string;
  /** Responses only: a call of a free-form (custom) tool with this text as its input, as Codex's `exec`. */
  script?: string;
  /** Gemini only: the thought signature on the call's part, as Gemini 3 puts on a step's first call. */
  signature?: string;
}

/** What an answer says; usage defaults to realistic figures derived from the request size. */
export interface AnswerContent {
  text?: string;
  toolCall?: ToolCall;
  /** Several calls in one answer (after `toolCall` when both are given). */
  toolCalls?: ToolCall[];
  model?: string;
  usage?: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number };
}

export interface FakeUpstream {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  queue(...replies: Reply[]): void;
  script(fn: Script | undefined): void;
  /** Resolves once `count` requests have arrived in total. */
  waitForRequests(count: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

const CREATED = 1_730_000_000;
const DEFAULT_TEXT =
  'The build fails because the lockfile pins an older compiler; update it and rerun the tests.';

function idFor(req: ReceivedRequest, prefix: string): string {
  return `${prefix}${createHash('sha256').update(req.path).update(req.body).digest('hex').slice(0, 24)}`;
}

function requestJson(req: ReceivedRequest): JsonObject {
  try {
    return req.json();
  } catch {
    return {};
  }
}

/** Every tool call an answer makes; a call without an id gets one derived from the request and its place. */
function callsOf(
  req: ReceivedRequest,
  content: AnswerContent,
  prefix: string,
): (ToolCall & { id: string })[] {
  const calls = [...(content.toolCall ? [content.toolCall] : []), ...(content.toolCalls ?? [])];
  return calls.map((call, i) => ({ ...call, id: call.id ?? `${idFor(req, prefix)}${i ? `_${i}` : ''}` }));
}

function usageFor(req: ReceivedRequest, content: AnswerContent) {
  return {
    input: content.usage?.input ?? Math.max(1, Math.round(req.body.length / 4)),
    output: content.usage?.output ?? 42,
    cacheRead: content.usage?.cacheRead ?? 0,
    cacheWrite: content.usage?.cacheWrite ?? 0,
  };
}

/** Split text into word-sized deltas, as models stream it. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

function splitJson(json: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < json.length; i += 7) out.push(json.slice(i, i + 7));
  return out.length ? out : [''];
}

// ---- Anthropic Messages ----------------------------------------------------------------------------

export function anthropicMessage(req: ReceivedRequest, content: AnswerContent = {}): JsonObject {
  const usage = usageFor(req, content);
  const blocks: JsonObject[] = [];
  const calls = callsOf(req, content, 'toolu_');
  if (content.text !== undefined || !calls.length)
    blocks.push({ type: 'text', text: content.text ?? DEFAULT_TEXT });
  for (const call of calls)
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
  return {
    id: idFor(req, 'msg_'),
    type: 'message',
    role: 'assistant',
    model: content.model ?? String(requestJson(req).model ?? 'claude-sonnet-4-6'),
    content: blocks,
    stop_reason: calls.length ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: usage.input,
      cache_creation_input_tokens: usage.cacheWrite,
      cache_read_input_tokens: usage.cacheRead,
      output_tokens: usage.output,
      service_tier: 'standard',
    },
  };
}

export function anthropicEvents(req: ReceivedRequest, content: AnswerContent = {}): SseEvent[] {
  const message = anthropicMessage(req, content);
  const blocks = message.content as JsonObject[];
  const usage = message.usage as JsonObject;
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
      },
    },
  ];
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      });
      if (index === 0) events.push({ event: 'ping', data: { type: 'ping' } });
      for (const text of pieces(String(block.text))) {
        events.push({
          event: 'content_block_delta',
          data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } },
        });
      }
    } else {
      events.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index, content_block: { ...block, input: {} } },
      });
      for (const partial_json of splitJson(JSON.stringify(block.input))) {
        events.push({
          event: 'content_block_delta',
          data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } },
        });
      }
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

// ---- OpenAI Chat Completions -------------------------------------------------------------------------

function chatUsage(req: ReceivedRequest, content: AnswerContent): JsonObject {
  const u = usageFor(req, content);
  return {
    prompt_tokens: u.input + u.cacheRead,
    completion_tokens: u.output,
    total_tokens: u.input + u.cacheRead + u.output,
    prompt_tokens_details: { cached_tokens: u.cacheRead, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function chatToolCall(call: ToolCall & { id: string }) {
  return {
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.input) },
  };
}

export function chatCompletion(req: ReceivedRequest, content: AnswerContent = {}): JsonObject {
  const calls = callsOf(req, content, 'call_');
  const message: JsonObject = {
    role: 'assistant',
    content: calls.length && content.text === undefined ? null : (content.text ?? DEFAULT_TEXT),
    refusal: null,
    annotations: [],
  };
  if (calls.length) message.tool_calls = calls.map(chatToolCall);
  return {
    id: idFor(req, 'chatcmpl-'),
    object: 'chat.completion',
    created: CREATED,
    model: content.model ?? String(requestJson(req).model ?? 'gpt-4o'),
    choices: [{ index: 0, message, logprobs: null, finish_reason: calls.length ? 'tool_calls' : 'stop' }],
    usage: chatUsage(req, content),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

export function chatEvents(req: ReceivedRequest, content: AnswerContent = {}): SseEvent[] {
  const full = chatCompletion(req, content);
  const includeUsage = (requestJson(req).stream_options as JsonObject | undefined)?.include_usage === true;
  const base = {
    id: full.id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: full.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
  const chunk = (delta: JsonObject, finish: string | null = null): SseEvent => ({
    data: {
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    },
  });
  const calls = callsOf(req, content, 'call_').map(chatToolCall);
  const events: SseEvent[] = [chunk({ role: 'assistant', content: calls.length ? null : '', refusal: null })];
  if (!calls.length || content.text !== undefined) {
    for (const text of pieces(content.text ?? DEFAULT_TEXT)) events.push(chunk({ content: text }));
  }
  calls.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      }),
    );
    for (const args of splitJson(call.function.arguments)) {
      events.push(chunk({ tool_calls: [{ index, function: { arguments: args } }] }));
    }
  });
  events.push(chunk({}, calls.length ? 'tool_calls' : 'stop'));
  if (includeUsage) {
    events.push({ data: { ...base, choices: [], usage: full.usage } });
  }
  events.push({ data: '[DONE]' });
  return events;
}

// ---- OpenAI Responses ----------------------------------------------------------------------------------

function responseOutput(req: ReceivedRequest, content: AnswerContent): JsonObject[] {
  const output: JsonObject[] = [];
  const calls = callsOf(req, content, 'call_');
  if (content.text !== undefined || !calls.length) {
    output.push({
      id: idFor(req, 'msg_'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: content.text ?? DEFAULT_TEXT, annotations: [], logprobs: [] }],
    });
  }
  calls.forEach((call, i) => {
    const id = `${idFor(req, call.script === undefined ? 'fc_' : 'ctc_')}${i ? `_${i}` : ''}`;
    output.push(
      call.script === undefined
        ? {
            id,
            type: 'function_call',
            status: 'completed',
            call_id: call.id,
            name: call.name,
            arguments: JSON.stringify(call.input),
          }
        : {
            id,
            type: 'custom_tool_call',
            status: 'completed',
            call_id: call.id,
            name: call.name,
            input: call.script,
          },
    );
  });
  return output;
}

export function responseObject(req: ReceivedRequest, content: AnswerContent = {}): JsonObject {
  const u = usageFor(req, content);
  return {
    id: idFor(req, 'resp_'),
    object: 'response',
    created_at: CREATED,
    status: 'completed',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: content.model ?? String(requestJson(req).model ?? 'gpt-5-codex'),
    output: responseOutput(req, content),
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: {
      input_tokens: u.input + u.cacheRead,
      input_tokens_details: { cached_tokens: u.cacheRead },
      output_tokens: u.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: u.input + u.cacheRead + u.output,
    },
    user: null,
    metadata: {},
  };
}

export function responsesEvents(req: ReceivedRequest, content: AnswerContent = {}): SseEvent[] {
  const full = responseObject(req, content);
  const pending = { ...full, status: 'in_progress', output: [], usage: null };
  const events: SseEvent[] = [];
  const push = (type: string, data: JsonObject) =>
    events.push({ event: type, data: { type, sequence_number: events.length, ...data } });
  push('response.created', { response: pending });
  push('response.in_progress', { response: pending });
  (full.output as JsonObject[]).forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === 'message') {
      const part = (item.content as JsonObject[])[0]!;
      const text = String(part.text);
      push('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      push('response.content_part.added', {
        item_id,
        output_index,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      });
      for (const delta of pieces(text)) {
        push('response.output_text.delta', { item_id, output_index, content_index: 0, delta, logprobs: [] });
      }
      push('response.output_text.done', { item_id, output_index, content_index: 0, text, logprobs: [] });
      push('response.content_part.done', { item_id, output_index, content_index: 0, part });
    } else if (item.type === 'custom_tool_call') {
      push('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', input: '' },
      });
      for (const delta of pieces(String(item.input))) {
        push('response.custom_tool_call_input.delta', { item_id, output_index, delta });
      }
      push('response.custom_tool_call_input.done', { item_id, output_index, input: item.input });
    } else {
      push('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      for (const delta of splitJson(String(item.arguments))) {
        push('response.function_call_arguments.delta', { item_id, output_index, delta });
      }
      push('response.function_call_arguments.done', { item_id, output_index, arguments: item.arguments });
    }
    push('response.output_item.done', { output_index, item });
  });
  push('response.completed', { response: full });
  return events;
}

// ---- Gemini generateContent ---------------------------------------------------------------------------

function geminiUsage(req: ReceivedRequest, content: AnswerContent, final: boolean): JsonObject {
  const u = usageFor(req, content);
  const prompt = u.input + u.cacheRead;
  const usage: JsonObject = { promptTokenCount: prompt };
  if (final) usage.candidatesTokenCount = u.output;
  usage.totalTokenCount = prompt + (final ? u.output : 0);
  if (u.cacheRead) usage.cachedContentTokenCount = u.cacheRead;
  usage.promptTokensDetails = [{ modality: 'TEXT', tokenCount: prompt }];
  if (u.cacheRead) usage.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: u.cacheRead }];
  return usage;
}

/** Gemini returns call ids only when the caller gave one; a scripted call keeps the id it names. */
function geminiCallParts(content: AnswerContent): JsonObject[] {
  const calls = [...(content.toolCall ? [content.toolCall] : []), ...(content.toolCalls ?? [])];
  return calls.map((call) => ({
    functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args: call.input },
    ...(call.signature ? { thoughtSignature: call.signature } : {}),
  }));
}

/**
 * What Gemini 3 refuses in a request: a step of the current turn (the model contents after the last user text)
 * whose first call has no thought signature, as the API's message names it; undefined when there is none.
 */
export function unsignedGeminiStep(req: ReceivedRequest): string | undefined {
  const contents = ((requestJson(req).contents ?? []) as JsonObject[]).map((content) => ({
    role: content.role,
    parts: (content.parts ?? []) as JsonObject[],
  }));
  const start = contents.findLastIndex(
    (c) => c.role === 'user' && c.parts.some((p) => typeof p.text === 'string'),
  );
  for (const content of contents.slice(start + 1)) {
    if (content.role !== 'model') continue;
    const first = content.parts.findIndex((part) => part.functionCall !== undefined);
    const part = content.parts[first];
    if (part && part.thoughtSignature === undefined) {
      const name = (part.functionCall as JsonObject).name;
      return `Function call is missing a thought_signature in functionCall parts. Additional data, function call \`default_api:${name}\`, position ${first + 1}.`;
    }
  }
  return undefined;
}

/** The default text; a request for structured output (`responseMimeType: application/json`) gets JSON. */
function geminiText(req: ReceivedRequest, content: AnswerContent): string {
  if (content.text !== undefined) return content.text;
  const config = requestJson(req).generationConfig as JsonObject | undefined;
  return String(config?.responseMimeType ?? '').includes('json')
    ? JSON.stringify({ reasoning: DEFAULT_TEXT })
    : DEFAULT_TEXT;
}

export function geminiResponse(req: ReceivedRequest, content: AnswerContent = {}): JsonObject {
  const calls = geminiCallParts(content);
  const parts: JsonObject[] = [];
  if (content.text !== undefined || !calls.length) parts.push({ text: geminiText(req, content) });
  parts.push(...calls);
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: geminiUsage(req, content, true),
    modelVersion: content.model ?? modelInPath(req.path) ?? 'gemini-2.5-pro',
    responseId: idFor(req, '').slice(0, 22),
  };
}

/** The chunks of a streamed Gemini answer: text a few words at a time, calls whole, usage on every chunk. */
export function geminiChunks(req: ReceivedRequest, content: AnswerContent = {}): JsonObject[] {
  const full = geminiResponse(req, content);
  const calls = geminiCallParts(content);
  const words = content.text !== undefined || !calls.length ? pieces(geminiText(req, content)) : [];
  const groups: JsonObject[][] = [];
  for (let i = 0; i < words.length; i += 3) groups.push([{ text: words.slice(i, i + 3).join('') }]);
  if (calls.length) groups.push(calls);
  return groups.map((parts, i) => {
    const last = i === groups.length - 1;
    return {
      candidates: [
        { content: { parts, role: 'model' }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 },
      ],
      usageMetadata: geminiUsage(req, content, last),
      modelVersion: full.modelVersion,
      responseId: full.responseId,
    };
  });
}

/** A streamed answer in the form the query asks for: SSE with `alt=sse`, else one JSON array. */
export function geminiStream(req: ReceivedRequest, content: AnswerContent = {}): Reply {
  const chunks = geminiChunks(req, content);
  if (new URLSearchParams(req.url.split('?')[1] ?? '').get('alt') === 'sse') {
    return { kind: 'sse', crlf: true, events: chunks.map((data) => ({ data })) };
  }
  return { kind: 'json', body: `[${chunks.map((c) => JSON.stringify(c)).join('\n,\r\n')}]` };
}

/** An error in Google's shape, e.g. `geminiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded')`. */
export function geminiError(code: number, status: string, message: string): Reply {
  return { kind: 'json', status: code, body: { error: { code, message, status } } };
}

// ---- Routing -------------------------------------------------------------------------------------------

/** The fake's default answer to `req`, carrying `content`: JSON or SSE as the request asks. */
export function answer(req: ReceivedRequest, content: AnswerContent = {}): Reply {
  const stream = requestJson(req).stream === true;
  const path = req.path;
  if (path.endsWith(':generateContent')) return { kind: 'json', body: geminiResponse(req, content) };
  if (path.endsWith(':streamGenerateContent')) return geminiStream(req, content);
  if (path.endsWith('/messages/count_tokens')) {
    return { kind: 'json', body: { input_tokens: usageFor(req, content).input } };
  }
  if (path.endsWith('/messages')) {
    return stream
      ? { kind: 'sse', events: anthropicEvents(req, content) }
      : { kind: 'json', body: anthropicMessage(req, content) };
  }
  if (path.endsWith('/chat/completions')) {
    return stream
      ? { kind: 'sse', events: chatEvents(req, content) }
      : { kind: 'json', body: chatCompletion(req, content) };
  }
  if (path.endsWith('/responses')) {
    return stream
      ? { kind: 'sse', events: responsesEvents(req, content) }
      : { kind: 'json', body: responseObject(req, content) };
  }
  if (path.endsWith('/models') && req.method === 'GET') {
    if (req.headers['anthropic-version']) {
      const data = [
        {
          type: 'model',
          id: 'claude-sonnet-4-6',
          display_name: 'Claude Sonnet 4.6',
          created_at: '2025-09-29T00:00:00Z',
        },
      ];
      return { kind: 'json', body: { data, has_more: false, first_id: data[0]!.id, last_id: data[0]!.id } };
    }
    const data = ['gpt-4o', 'gpt-5-codex'].map((id) => ({
      id,
      object: 'model',
      created: CREATED,
      owned_by: 'openai',
    }));
    return { kind: 'json', body: { object: 'list', data } };
  }
  return {
    kind: 'json',
    status: 404,
    body: { error: { message: `fake upstream: no route ${req.method} ${path}`, type: 'not_found' } },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function formatEvent(e: SseEvent, crlf = false): string {
  const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
  const nl = crlf ? '\r\n' : '\n';
  return `${e.event ? `event: ${e.event}${nl}` : ''}data: ${data}${nl}${nl}`;
}

async function send(res: ServerResponse, reply: Reply, requestId: string): Promise<void> {
  if (reply.kind === 'hang') return;
  if (reply.kind === 'reset') {
    res.socket?.destroy();
    return;
  }
  if (reply.kind === 'body') {
    res.writeHead(reply.status ?? 200, {
      'content-type': 'application/octet-stream',
      'request-id': requestId,
      'x-request-id': requestId,
      ...reply.headers,
    });
    // A client that leaves mid-body ends the exchange; the fake has nothing more to say about it.
    await pipeline(Readable.from(reply.chunks), res).catch(() => {});
    return;
  }
  if (reply.kind === 'json') {
    const body =
      typeof reply.body === 'string' || Buffer.isBuffer(reply.body) ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, {
      'content-type': 'application/json',
      'request-id': requestId,
      'x-request-id': requestId,
      'content-length': Buffer.byteLength(body),
      ...reply.headers,
    });
    if (reply.resetAfterBytes === undefined) {
      res.end(body);
      return;
    }
    await new Promise<void>((resolve) =>
      res.write(Buffer.from(body).subarray(0, reply.resetAfterBytes), () => resolve()),
    );
    res.socket?.destroy();
    return;
  }
  res.writeHead(reply.status ?? 200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': requestId,
    'x-request-id': requestId,
    ...reply.headers,
  });
  res.flushHeaders();
  for (let i = 0; i < reply.events.length; i++) {
    if (res.destroyed) return;
    if (reply.resetAfter !== undefined && i === reply.resetAfter) {
      // Let the events already written leave first, as a crashing server's kernel would send them.
      await new Promise<void>((resolve) => res.write('', () => resolve()));
      res.socket?.destroy();
      return;
    }
    if (reply.holdAfter !== undefined && i === reply.holdAfter) await reply.release;
    else if (i > 0 && reply.delayMs) await sleep(reply.delayMs);
    if (res.destroyed) return;
    res.write(formatEvent(reply.events[i]!, reply.crlf));
  }
  res.end(reply.trailer);
}

/** Start a fake model API on 127.0.0.1 with a free port. */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: ReceivedRequest[] = [];
  const queued: Reply[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  let scripted: Script | undefined;

  const server = createServer((incoming, res) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const url = incoming.url ?? '/';
      const body = Buffer.concat(chunks);
      const closed = new Promise<{ completed: boolean }>((resolve) =>
        res.once('close', () => resolve({ completed: res.writableFinished })),
      );
      const req: ReceivedRequest = {
        index: requests.length,
        method: incoming.method ?? 'GET',
        url,
        path: url.split('?')[0]!,
        headers: incoming.headers,
        rawHeaders: incoming.rawHeaders,
        body,
        json: () => JSON.parse(body.toString('utf8')) as JsonObject,
        closed,
      };
      requests.push(req);
      for (const w of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const reply = queued.shift() ?? (await scripted?.(req)) ?? answer(req);
      await send(res, reply, `req_fake_${String(req.index).padStart(4, '0')}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    queue: (...replies) => queued.push(...replies),
    script: (fn) => {
      scripted = fn;
    },
    waitForRequests: (count) =>
      requests.length >= count
        ? Promise.resolve(requests)
        : new Promise((resolve) => waiters.push({ count, resolve: () => resolve(requests) })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The text of the tool results the request sends back (in any format), one per line; '' for none. */
export function toolResultTexts(req: ReceivedRequest): string {
  const body = req.json();
  const items = [
    ...((body.messages as JsonObject[] | undefined) ?? []),
    ...((Array.isArray(body.input) ? body.input : []) as JsonObject[]),
    ...((body.contents as JsonObject[] | undefined) ?? []),
  ];
  const texts = items.flatMap((item): unknown[] => {
    if (item.type === 'function_call_output') return [item.output];
    if (item.type === 'custom_tool_call_output') {
      const output = item.output;
      return Array.isArray(output) ? (output as JsonObject[]).map((part) => part.text) : [output];
    }
    if (item.role === 'tool') return [item.content];
    const parts = (Array.isArray(item.content) ? item.content : (item.parts ?? [])) as JsonObject[];
    return parts.flatMap((part) => {
      if (part.type === 'tool_result') return [part.content];
      const response = part.functionResponse as { response?: { output?: unknown } } | undefined;
      return response ? [response.response?.output] : [];
    });
  });
  return texts.map(String).join('\n');
}
