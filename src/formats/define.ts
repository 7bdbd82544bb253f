// What most wire formats share, given once: a format states what differs and takes these for the rest
// (a JSON object as its response, `usage` as its usage, tools appended to `tools`, `tool_choice: "none"`).

import type { StreamFailure, UpstreamUsage, WireFormat } from './types.js';
import { appendTool, isObject, parseJson, toolChoiceNone, type WireObject } from './wire.js';

type Defaulted = 'isTokenCount' | 'responseOf' | 'usageOf' | 'withTool' | 'toolCallsAllowed';

/** A format from what it states, with the common behaviour for what it leaves out. */
export function defineFormat(
  spec: Omit<WireFormat, Defaulted> & Partial<Pick<WireFormat, Defaulted>>,
): WireFormat {
  const format: WireFormat = {
    isTokenCount: () => false,
    responseOf: (parsed) => (isObject(parsed) ? parsed : undefined),
    usageOf: (response) => response.usage,
    withTool: (body, tool) => appendTool(body, format.toolEntry(tool)),
    toolCallsAllowed: (body) => !toolChoiceNone(body.tool_choice),
    ...spec,
  };
  return format;
}

/** A token count as the APIs report it: a finite number, or nothing. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The usage object under `key` of a response, after noting in `into` the model the response names. */
export function usageIn(payload: unknown, key: string, into: UpstreamUsage): WireObject | undefined {
  if (!isObject(payload)) return undefined;
  const model = payload.model ?? payload.modelVersion;
  if (typeof model === 'string' && model) into.model = model;
  const usage = payload[key];
  return isObject(usage) ? usage : undefined;
}

/**
 * The error a stream ends with: the upstream's own when `read` finds one in its body (so the client reads the
 * type, code and message the API gave), else the format's error body for the failure's status and message.
 */
export function streamError(
  { status, body, message }: StreamFailure,
  read: (parsed: unknown) => WireObject | undefined,
  errorBody: WireFormat['errorBody'],
): WireObject {
  const upstream = body === undefined ? undefined : read(parseJson(body));
  return upstream ?? (read(parseJson(errorBody(status, message))) as WireObject);
}
