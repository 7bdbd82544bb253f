// The wire formats headroom speaks, in one registry. Everything that varies by format is a method of
// `WireFormat`; the rest of headroom asks the registry for the format and never names one. Adding a
// format is a folder and a line here.

import { anthropic } from './anthropic/index.js';
import { gemini } from './gemini/index.js';
import { openaiChat } from './openai-chat/index.js';
import { openaiResponses } from './openai-responses/index.js';
import type { FormatName, Provider, UsageReader, WireFormat } from './types.js';

export type * from './types.js';

/** Every format, in the order a bare message list is recognised; the last is what an unknown list is taken for. */
export const FORMATS: readonly WireFormat[] = [gemini, openaiResponses, openaiChat, anthropic];

export function formatNamed(name: FormatName): WireFormat {
  const format = FORMATS.find((f) => f.name === name);
  if (!format) throw new TypeError(`unknown wire format ${name}`);
  return format;
}

/** The format of a request to `provider` at `path`, when it carries a conversation headroom can compress. */
export function formatOfRequest(
  method: string | undefined,
  provider: Provider,
  path: string,
): WireFormat | undefined {
  if (method !== 'POST') return undefined;
  return FORMATS.find((f) => f.provider === provider && f.servesPath(path));
}

/** The format of a bare message list (library users): the first that recognises it, else the last. */
export function detectFormat(messages: readonly unknown[]): WireFormat {
  return FORMATS.find((format) => format.recognises(messages)) ?? FORMATS.at(-1)!;
}

/** The formats a provider serves (they share its error shape). */
function formatsOf(provider: Provider): WireFormat[] {
  return FORMATS.filter((f) => f.provider === provider);
}

/** An error body in the provider's own shape. */
export function errorBodyFor(provider: Provider, status: number, message: string): string {
  return (formatsOf(provider)[0] ?? FORMATS.at(-1)!).errorBody(status, message);
}

/** Where to read usage from a response of `provider`: the request's own format, else every format it serves. */
export function usageReadersFor(provider: Provider, format?: WireFormat): UsageReader[] {
  return format ? [format] : formatsOf(provider);
}
