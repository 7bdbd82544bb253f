// The loop of tools the proxy answers itself (headroom_retrieve, the memory tools), handed its wire format:
// answer the model's calls to them, continue the turn upstream with the answers, and fold the rounds into
// the one answer the client sees.
//
// How the proxy drives it (non-streaming; a format's `createStream(answered)` is the streaming counterpart):
//   responses = [await upstream(body)]
//   while (calls = findAnsweredCalls(format, last, answered).calls; calls.length && rounds < maxRounds)
//     { results, answers } = await answerCalls(calls, toolbox)      // answers' retrievals -> stats
//     body = continueWithResults(format, body, last, results, answered); responses.push(await upstream(body))
//   reply mergeResponses(format, responses, answered)
//
// When the model calls one of these tools together with the agent's own, the agent's calls are held back:
// the turn continues upstream with only our calls answered (an API needs a result for every call in a turn,
// and only the agent can produce those), and the held calls reach the agent in the merged response after
// everything the model wrote, unless a later round repeats the same call.

import type { AnsweredCall, AnsweredTools, ToolResult, WireFormat } from '../formats/types.js';
import type { WireObject } from '../formats/wire.js';
import { agentCalls, agentCallsOfRounds, sumUsage } from './rounds.js';
import type { ToolAnswer, Toolbox } from './types.js';

export { findAnsweredCalls } from './rounds.js';

/** The names of a toolbox's tools, as formats and streams test calls against them. */
export function answeredNames(toolbox: Toolbox): AnsweredTools {
  return new Set(toolbox.keys());
}

/** Answer the calls, each by its tool; `answers` carry what stats record (headroom_retrieve's retrievals). */
export async function answerCalls(
  calls: readonly AnsweredCall[],
  toolbox: Toolbox,
): Promise<{ results: ToolResult[]; answers: ToolAnswer[] }> {
  const results: ToolResult[] = [];
  const answers: ToolAnswer[] = [];
  for (const { callId, name, args } of calls) {
    const tool = toolbox.get(name);
    const answer = tool ? await tool.answer(args) : { content: `headroom: no tool named ${name}` };
    results.push({ callId, name, content: answer.content });
    answers.push(answer);
  }
  return { results, answers };
}

/**
 * The next request of the turn: `body` plus the model's turn without the agent's own calls and a tool
 * result per answered call.
 */
export function continueWithResults(
  format: WireFormat,
  body: WireObject,
  response: WireObject,
  results: readonly ToolResult[],
  answered: AnsweredTools,
): WireObject {
  const held = new Set(agentCalls(format, response, answered).map((call) => call.item));
  return format.continueWith(body, response, held, results);
}

/**
 * One response for the client from the rounds of a turn: everything the model wrote in every round, then
 * the agent's calls; no trace of the answered tools; usage summed over the rounds.
 */
export function mergeResponses(
  format: WireFormat,
  responses: readonly WireObject[],
  answered: AnsweredTools,
): WireObject {
  if (responses.length === 0) throw new TypeError('mergeResponses needs at least one response');
  return format.merge({
    responses,
    agentCalls: agentCallsOfRounds(format, responses, answered),
    allCalls: new Set(responses.flatMap((r) => format.clientCalls(r).map((call) => call.item))),
    usage: sumUsage(responses.map((r) => format.usageOf(r))),
  });
}
