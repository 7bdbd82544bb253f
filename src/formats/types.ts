// The one interface every wire format implements (Anthropic Messages, OpenAI Chat Completions, OpenAI
// Responses, Gemini generateContent): what the engine, the loop of tools the proxy answers and the proxy need
// to know of a format, so none of them ever asks which format it is.

import type { ModelText } from '../compress/history.js';
import type { ToolOutput } from '../compress/types.js';
import type { SseEvent } from '../sse.js';
import type { PathStep, WireObject } from './wire.js';

/** The name of a registered wire format: anthropic, openai-chat, openai-responses, gemini. */
export type FormatName = string;

/** Who serves a format: picks the upstream, and the error shape of requests that carry no conversation. */
export type Provider = 'anthropic' | 'openai' | 'gemini';

/** One tool output found in a request: the engine's view of it, and where it sits in the wire JSON. */
export interface FoundOutput extends ToolOutput {
  /** Where the text sits, relative to the request's messages / input / contents array. */
  path: readonly PathStep[];
  /** Turns compressed text back into what the wire field holds (e.g. a JSON envelope); identity when absent. */
  encode?: (text: string) => string;
}

/** A turn the user typed: where it sits in the message list, and its text. */
export interface UserTurn {
  index: number;
  text: string;
}

/** A side call recognised by its fixed instruction and shape: which one, and the output it embeds. */
export interface SideCall {
  /** A stable name for stats, e.g. `claude-code-bash-paths`. */
  name: string;
  outputs: FoundOutput[];
}

/** A tool call in a model response, in whichever shape the format uses. */
export interface WireCall {
  /** The block / tool_calls entry / output item / part itself. */
  item: WireObject;
  name: string;
  /** The call's id on the wire ('' when the format gives none). */
  callId: string;
  args: unknown;
}

/**
 * The names of the tools the proxy answers itself in one request (`headroom_retrieve`, the memory tools): the
 * model's calls to them never reach the agent.
 */
export type AnsweredTools = ReadonlySet<string>;

/** How a format's responses name the calls the client must run. */
export interface CallReader {
  /** Calls a model response asks the client to run (headroom's and the agent's), in order. */
  clientCalls(response: WireObject): WireCall[];
  /** True for a call of one of the tools the proxy answers (`answered`), in this format's function-call shape. */
  isAnswered(call: WireCall, answered: AnsweredTools): boolean;
  /** True when the response was cut short (token limit), so a call in it may be incomplete. */
  truncated(response: WireObject): boolean;
}

/** Arguments the model passes to `headroom_retrieve`. */
export interface RetrieveToolInput {
  id: string;
  query?: string;
  offset?: number;
}

/** One call the model made of a tool the proxy answers, its arguments parsed when they came as JSON text. */
export interface AnsweredCall {
  callId: string;
  name: string;
  args: unknown;
}

export interface FoundCalls {
  /** The calls the proxy answers. */
  calls: AnsweredCall[];
  /** The same response also calls tools of the agent's own. */
  otherToolCalls: boolean;
}

/** The answer to one call, as the tool result the model will read. */
export interface ToolResult {
  callId: string;
  /** The tool called (Gemini names it in its function response). */
  name: string;
  content: string;
}

/** What one finished streamed round holds: the calls the proxy answers and the response assembled from it. */
export interface RoundResult extends FoundCalls {
  response: WireObject;
  /**
   * The round's stream reached the event that ends it in its API (Anthropic's message_stop, a Chat finish
   * reason or [DONE], a Responses closing event, a Gemini finish reason). A round without it was cut short:
   * it is neither continued nor closed as if it were done.
   */
  complete: boolean;
}

/**
 * Rewrites the SSE events of a turn's rounds into one valid stream for the client, with the tools the proxy
 * answers invisible, indexes renumbered and usage summed over the rounds.
 */
export interface RetrieveStream {
  /**
   * Feed one upstream event of the current round; returns the events to send the client now. Returning the
   * `event` object itself means "unchanged": the proxy then forwards the bytes it came in.
   */
  push(event: SseEvent): SseEvent[];
  /** The current round's upstream stream ended: its calls, and the response to continue the turn from. */
  endRound(): RoundResult;
  /**
   * No more rounds, the last one complete: the events that close the client's stream (held tool calls,
   * stop reason, usage), never more than the upstream's own closing events stand for.
   */
  finish(): SseEvent[];
  /**
   * A continuation round failed (the upstream refused it, broke it off, or sent what cannot be read): the
   * events that end the client's stream with the API's own error event.
   */
  fail(failure: StreamFailure): SseEvent[];
  /** The upstream sent an error event (already passed on): do not continue, `finish()` adds nothing. */
  readonly failed: boolean;
}

/** Why a client's stream ends in an error once its head has gone out. */
export interface StreamFailure {
  /** The upstream's status, or the one headroom gives a failure of its own (502 for a break). */
  status: number;
  /** The upstream's error body: passed on as it came when it holds an error in the format's own shape. */
  body?: string;
  /** headroom's words, for when the upstream sent no error the client could read. */
  message: string;
}

/**
 * Token usage as the upstream reported it, normalised so that providers add up the same way:
 * `inputTokens` excludes tokens read from or written to the prompt cache.
 */
export interface UpstreamUsage {
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/** Reads a format's usage from a JSON response or from one of its stream events. */
export interface UsageReader {
  /** Usage fields of a response object into `into` (fields it lacks keep their values). */
  usageFromResponse(payload: unknown, into: UpstreamUsage): void;
  /** Usage carried by one stream event, if it carries any; events without usage are not parsed. */
  usageFromEvent(event: string, data: string, into: UpstreamUsage): void;
}

/** The rounds of one turn, as `merge` gets them from the loop. */
export interface Rounds {
  responses: readonly WireObject[];
  /** The agent's own calls of every round, in the order they reach the client (repeats dropped). */
  agentCalls: WireObject[];
  /** Every call item of every round (the proxy's and the agent's). */
  allCalls: ReadonlySet<WireObject>;
  /** The rounds' usage summed. */
  usage: WireObject | null;
}

/**
 * What a request's last message is: only tool results that went well (a mechanical continuation), tool results
 * with a failure among them, words of the user, or something else.
 */
export type TurnKind = 'continuation' | 'after-error' | 'user' | 'other';

/** One effort field a request set, and what it was lowered to. */
export interface EffortChange {
  /** The field's place in the body, e.g. `reasoning.effort`, `thinking.budget_tokens`. */
  field: string;
  from: string | number;
  to: string | number;
}

/** A request with its effort lowered. */
export interface LoweredEffort {
  body: WireObject;
  changes: EffortChange[];
}

/** What the output side (verbosity steering, effort routing) needs of a format. */
export interface OutputSteering {
  /** True when the request declares tools the model may call: an agent's turn, not a small side call. */
  declaresTools(body: WireObject): boolean;
  /**
   * `body` with `note` at the tail of its system prompt, after every cache breakpoint the agent put there, so
   * the cached prefix before it stays as it was; `body` itself when a note holding `marker` is there already.
   */
  withSystemNote(body: WireObject, note: string, marker: string): WireObject;
  /** What the request's last message is. */
  turnKind(body: WireObject): TurnKind;
  /**
   * `body` with the reasoning effort it sets lowered to `to` and a thinking budget it sets lowered to `floor`
   * tokens; undefined when it sets neither above them. Never adds an effort or a budget.
   */
  lowerEffort(body: WireObject, to: string, floor: number): LoweredEffort | undefined;
}

export interface WireFormat extends CallReader, UsageReader, OutputSteering {
  readonly name: FormatName;
  readonly provider: Provider;
  /** The key of the request body that holds the conversation. */
  readonly messagesKey: string;

  /** True when a POST to `path` carries a conversation of this format. */
  servesPath(path: string): boolean;
  /** True for a path that only counts a conversation's tokens: no model answers it. */
  isTokenCount(path: string): boolean;
  /** True when a message list looks like this format (auto-detection for library users). */
  recognises(messages: readonly unknown[]): boolean;
  /** Every tool output in the message list, in conversation order. */
  toolOutputs(messages: readonly unknown[]): FoundOutput[];
  /**
   * An agent's side call this request is (a small-model request that embeds a command's whole output in
   * user text, for one narrow question), with the embedded output to compress for that question.
   */
  sideCall?(body: WireObject): SideCall | undefined;

  /** The turns the user typed (not tool results sent back in user messages), in order. */
  userTurns(messages: readonly unknown[]): UserTurn[];
  /** `messages` with `text` added at the end of the user turn at `index`, as a text part of its own. */
  withUserText(messages: readonly unknown[], index: number, text: string): unknown[];

  /** What the model wrote in the message list (its text and its calls' arguments), by message. */
  modelTexts(messages: readonly unknown[]): ModelText[];
  /**
   * The parts of a request that name its conversation and stay put while it grows: the instructions, the
   * tools and the first user turn.
   */
  conversationOpening(body: WireObject): unknown;
  /** How long the provider keeps this request's prompt cached after its last use, in ms. */
  cacheLifetimeMs(body: WireObject): number;

  /** A tool in this format's shape, as one entry of its tool list. */
  toolEntry(tool: ToolDefinition): WireObject;
  /** `body` with `tool` added to its tools where this format puts it, or `body` when it cannot take one. */
  withTool(body: WireObject, tool: ToolDefinition): WireObject;
  /** False when the request forbids every tool call. */
  toolCallsAllowed(body: WireObject): boolean;

  /** A JSON answer as one response (Gemini's chunk array joined), or undefined when it is not one. */
  responseOf(parsed: unknown): WireObject | undefined;
  /** The usage object of a response, as `sumUsage` adds it up over rounds. */
  usageOf(response: WireObject): unknown;
  /**
   * The next request of the turn: `body` plus the model's turn without the agent's `held` calls and a tool
   * result per call the proxy answered. Everything else in `body` is kept.
   */
  continueWith(
    body: WireObject,
    response: WireObject,
    held: ReadonlySet<WireObject>,
    results: readonly ToolResult[],
  ): WireObject;
  /** One response for the client from a turn's rounds: everything the model wrote, then the agent's calls. */
  merge(rounds: Rounds): WireObject;
  /** A rewriter for this format's event stream, hiding the calls of the `answered` tools. */
  createStream(answered: AnsweredTools): RetrieveStream;

  /** An error body in the provider's own shape, so SDKs surface it as a normal API error. */
  errorBody(status: number, message: string): string;
}

/** A tool headroom offers the model, before it takes a format's shape. */
export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the input, with lower-case types. */
  inputSchema: WireObject;
}
