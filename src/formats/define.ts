// What most wire formats share, given once: a format states what differs and takes these for the rest
// (a JSON object as its response, `usage` as its usage, tools appended to `tools`, `tool_choice: "none"`).

import type { StreamFailure, UpstreamUsage, WireFormat } from './types.js';
import { type TurnShape, userTurnsOf, withUserTextOf } from './user-turns.js';
import { appendTool, isObject, parseJson, toolChoiceNone, type WireObject } from './wire.js';

type Defaulted = 'isTokenCount' | 'responseOf' | 'usageOf' | 'withTool' | 'toolCallsAllowed';
type FromTurns = 'userTurns' | 'withUserText';

/**
 * A format from what it states, with the common behaviour for what it leaves out; its user turns are read
 * and added to from the shape of its messages (`turns`).
 */
export function defineFormat({
  turns,
  ...spec
}: Omit<WireFormat, Defaulted | FromTurns> &
  Partial<Pick<WireFormat, Defaulted>> & { turns: TurnShape }): WireFormat {
  const format: WireFormat = {
    userTurns: (messages) => userTurnsOf(turns, messages),
    withUserText: (messages, index, text) => withUserTextOf(turns, messages, index, text),
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
