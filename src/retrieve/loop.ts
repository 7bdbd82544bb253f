// The retrieve loop, handed its wire format: offer headroom_retrieve, answer the model's calls to it from the
// store, continue the turn upstream with the answers, and fold the rounds into the one answer the client sees.
//
// How the proxy drives it (non-streaming; a format's `createStream()` is the streaming counterpart):
//   responses = [await upstream(body)]
//   while (calls = findRetrieveCalls(format, last).calls; calls.length && rounds < retrieveMaxRounds)
//     { results, retrievals } = await answerRetrieveCalls(calls, store)      // retrievals -> stats
//     body = continueWithResults(format, body, last, results); responses.push(await upstream(body))
//   reply mergeResponses(format, responses)
//
// When the model calls headroom_retrieve together with the agent's own tools, the agent's calls are held
// back: the turn continues upstream with only our calls answered (an API needs a result for every call in
// a turn, and only the agent can produce those), and the held calls reach the agent in the merged response
// after everything the model wrote, unless a later round repeats the same call.

import type { RetrieveCall, RetrieveToolResult, WireFormat } from '../formats/types.js';
import type { WireObject } from '../formats/wire.js';
import type { OriginalStore } from '../store/types.js';
import { answerRetrieveCall, type Retrieval } from './read.js';
import { agentCalls, agentCallsOfRounds, sumUsage } from './rounds.js';
import { hasRetrieveTool, RETRIEVE_TOOL } from './tool.js';

export { findRetrieveCalls } from './rounds.js';

/** The `headroom_retrieve` tool in the shape `format` lists it in `tools`. */
export function retrieveToolDefinition(format: WireFormat): WireObject {
  return format.toolEntry(RETRIEVE_TOOL);
}

/**
 * A copy of `body` with `headroom_retrieve` appended last in its tools (created when absent). Unchanged
 * when the tool is already there or `tools` has a shape headroom does not know. `tool_choice` is never
 * touched: the tool is never forced, and with `none` it is listed but cannot be called, which keeps the
 * tools array identical across turns.
 */
export function withRetrieveTool(format: WireFormat, body: WireObject): WireObject {
  if (body.tools !== undefined && !Array.isArray(body.tools)) return body;
  if (hasRetrieveTool(body)) return body;
  return format.withTool(body, RETRIEVE_TOOL);
}

/** Answer the calls from the store; `retrievals` are the figures for stats (`retrievals`, `retrieved_bytes`). */
export async function answerRetrieveCalls(
  calls: readonly RetrieveCall[],
  store: OriginalStore,
): Promise<{ results: RetrieveToolResult[]; retrievals: Retrieval[] }> {
  const results: RetrieveToolResult[] = [];
  const retrievals: Retrieval[] = [];
  for (const { callId, ...input } of calls) {
    const { content, retrieval } = await answerRetrieveCall(input, store);
    results.push({ callId, content });
    retrievals.push(retrieval);
  }
  return { results, retrievals };
}

/**
 * The next request of the turn: `body` plus the model's turn without the agent's own calls and a tool
 * result per answered headroom_retrieve call.
 */
export function continueWithResults(
  format: WireFormat,
  body: WireObject,
  response: WireObject,
  results: readonly RetrieveToolResult[],
): WireObject {
  const held = new Set(agentCalls(format, response).map((call) => call.item));
  return format.continueWith(body, response, held, results);
}

/**
 * One response for the client from the rounds of a turn: everything the model wrote in every round, then
 * the agent's calls; no trace of headroom_retrieve; usage summed over the rounds.
 */
export function mergeResponses(format: WireFormat, responses: readonly WireObject[]): WireObject {
  if (responses.length === 0) throw new TypeError('mergeResponses needs at least one response');
  return format.merge({
    responses,
    agentCalls: agentCallsOfRounds(format, responses),
    allCalls: new Set(responses.flatMap((r) => format.clientCalls(r).map((call) => call.item))),
    usage: sumUsage(responses.map((r) => format.usageOf(r))),
  });
}
