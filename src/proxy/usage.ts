// What a proxied request cost, as the upstream reports it: read from a JSON body or tapped from the relayed
// SSE stream without holding it back.

import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { SseReader } from './sse.js';

/**
 * Token usage as the upstream reported it, normalised so that providers add up the same way:
 * `inputTokens` excludes tokens read from or written to the prompt cache (OpenAI's prompt_tokens includes
 * cached ones; they are moved to `cacheReadTokens`).
 */
export interface UpstreamUsage {
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Read the usage fields of any provider's response object (or stream event payload) into `into`. */
export function readUsage(payload: unknown, into: UpstreamUsage = {}): UpstreamUsage {
  if (!isObject(payload)) return into;
  const model = payload.model ?? payload.modelVersion;
  if (typeof model === 'string' && model) into.model = model;
  const usage = payload.usage;
  if (isObject(usage)) {
    if (usage.prompt_tokens !== undefined || usage.completion_tokens !== undefined) {
      // OpenAI Chat Completions
      const cached =
        num(isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details.cached_tokens : 0) ?? 0;
      const prompt = num(usage.prompt_tokens);
      if (prompt !== undefined) into.inputTokens = prompt - cached;
      into.cacheReadTokens = cached;
      into.outputTokens = num(usage.completion_tokens) ?? into.outputTokens;
    } else if (isObject(usage.input_tokens_details)) {
      // OpenAI Responses
      const cached = num(usage.input_tokens_details.cached_tokens) ?? 0;
      const input = num(usage.input_tokens);
      if (input !== undefined) into.inputTokens = input - cached;
      into.cacheReadTokens = cached;
      into.outputTokens = num(usage.output_tokens) ?? into.outputTokens;
    } else {
      // Anthropic: message_delta repeats only what changed, so keep earlier values it leaves out.
      into.inputTokens = num(usage.input_tokens) ?? into.inputTokens;
      into.outputTokens = num(usage.output_tokens) ?? into.outputTokens;
      into.cacheReadTokens = num(usage.cache_read_input_tokens) ?? into.cacheReadTokens;
      into.cacheWriteTokens = num(usage.cache_creation_input_tokens) ?? into.cacheWriteTokens;
    }
  }
  const gemini = payload.usageMetadata;
  if (isObject(gemini)) {
    const cached = num(gemini.cachedContentTokenCount) ?? 0;
    const prompt = num(gemini.promptTokenCount);
    if (prompt !== undefined) into.inputTokens = prompt - cached;
    into.cacheReadTokens = cached;
    into.outputTokens = num(gemini.candidatesTokenCount) ?? into.outputTokens;
  }
  return into;
}

// Stream events that carry usage. Everything else (the many content deltas) is skipped unparsed.
const ANTHROPIC_USAGE_EVENTS = new Set(['message_start', 'message_delta']);
const RESPONSES_USAGE_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

function usageFromEvent(event: string, data: string, into: UpstreamUsage): void {
  let payload: unknown;
  if (ANTHROPIC_USAGE_EVENTS.has(event)) {
    payload = parseJson(data);
    if (isObject(payload) && isObject(payload.message)) payload = payload.message;
  } else if (RESPONSES_USAGE_EVENTS.has(event)) {
    payload = parseJson(data);
    if (isObject(payload)) payload = payload.response;
  } else if (event === '' && data.includes('"usage') && !data.includes('"usage":null')) {
    // Chat Completions (the include_usage chunk) and Gemini chunks have no event name.
    payload = parseJson(data);
  } else {
    return;
  }
  readUsage(payload, into);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const MAX_JSON_TAP_BYTES = 8 * 1024 * 1024;

function decoderFor(encoding: string | undefined) {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Watches response bytes on their way to the client and reports the upstream's usage once they end.
 * It never holds the stream back: SSE is read event by event, a JSON body is copied (up to 8 MB) and
 * parsed after the client has it. Compressed bodies are inflated on the side.
 */
export class UsageTap {
  private readonly usage: UpstreamUsage = {};
  private readonly sse?: SseReader;
  private json?: Buffer[];
  private jsonBytes = 0;
  private readonly inflater?: NodeJS.ReadWriteStream;
  private readonly inflated?: Promise<void>;
  private readonly consume: (chunk: Buffer) => void;

  /** A tap for a response, or undefined when its body cannot carry usage or cannot be read. */
  static for(contentType: string | undefined, contentEncoding: string | undefined): UsageTap | undefined {
    const type = contentType?.toLowerCase() ?? '';
    const stream = type.includes('text/event-stream');
    if (!stream && !type.includes('json')) return undefined;
    const inflater = decoderFor(contentEncoding);
    if (inflater === undefined) return undefined;
    return new UsageTap(stream, inflater ?? undefined);
  }

  private constructor(stream: boolean, inflater?: NodeJS.ReadWriteStream) {
    if (stream) {
      this.sse = new SseReader((event, data) => usageFromEvent(event, data, this.usage));
      this.consume = (chunk) => this.sse!.push(chunk);
    } else {
      this.json = [];
      this.consume = (chunk) => {
        if (!this.json) return;
        this.jsonBytes += chunk.length;
        if (this.jsonBytes > MAX_JSON_TAP_BYTES) this.json = undefined;
        else this.json.push(chunk);
      };
    }
    if (inflater) {
      this.inflater = inflater;
      inflater.on('data', this.consume);
      this.inflated = new Promise((resolve) => {
        inflater.once('end', resolve);
        // A corrupt body is the client's concern; the tap just reports no usage.
        inflater.once('error', () => resolve());
      });
    }
  }

  write(chunk: Buffer): void {
    if (this.inflater) this.inflater.write(chunk);
    else this.consume(chunk);
  }

  /** The usage seen, once the body has ended (also call it after an error: partial usage still counts). */
  async finish(): Promise<UpstreamUsage> {
    if (this.inflater) {
      this.inflater.end();
      await this.inflated;
    }
    if (this.sse) this.sse.end();
    else if (this.json?.length) readUsage(parseJson(Buffer.concat(this.json).toString('utf8')), this.usage);
    return this.usage;
  }
}
