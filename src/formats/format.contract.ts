// What every wire format must do, as one vitest suite: `formats.test.ts` runs `describeWireFormat` for each
// format in FORMATS with the fixtures beside it (`<name>/fixtures.ts`), built in that API's own wire shapes.

import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../test/helpers/fake-upstream.js';
import { realOutput } from '../../test/helpers/real-outputs.js';
import { createEngine } from '../compress/engine.js';
import { MARKER_PATTERN } from '../compress/marker.js';
import { countTokens } from '../compress/tokens.js';
import {
  hasRetrieveTool,
  RETRIEVE_ONLY,
  RETRIEVE_TOOL_NAME,
  retrieveToolDefinition,
  withRetrieveTool,
} from '../retrieve/tool.js';
import type { SseEvent } from '../sse.js';
import { continueWithResults, findAnsweredCalls, mergeResponses } from '../tools/loop.js';
import { detectFormat, formatOfRequest } from './index.js';
import { compressMessages } from './request.js';
import type { FoundOutput, UpstreamUsage, WireFormat } from './types.js';
import { objects, parseJson, replaceAt, valueAt, type WireObject } from './wire.js';

/** A call the model makes in one round. */
export interface Call {
  id: string;
  name: string;
  input: WireObject;
}

/** A call of the agent's tools in a conversation, with the output the agent sent back for it. */
export interface AnsweredCall extends Call {
  output: string;
}

/** A question of the user, the calls the model made for it, and the answer it gave once it had their outputs. */
export interface Turn {
  question: string;
  calls: AnsweredCall[];
  answer?: string;
}

/** What the model produces in one round. */
export interface Round {
  thinking?: string;
  text?: string;
  calls?: Call[];
  /** Why the round ended: its answer is done, it waits for tool results, or it hit the token limit. */
  stop?: 'end' | 'tool' | 'length';
  /** Tokens as every provider adds them up: `input` leaves out what was read from the prompt cache. */
  usage: { input: number; output: number; cacheRead?: number };
}

export type Stop = NonNullable<Round['stop']>;

/** The `Round.stop` a format's stop reason stands for, given the format's own reason for each. */
export function stopOf(reasons: Readonly<Record<Stop, string>>, reason: unknown): Stop | undefined {
  return (Object.keys(reasons) as Stop[]).find((stop) => reasons[stop] === reason);
}

/** A tool call as a client reads it from an official SDK's answer. */
export interface SdkCall {
  name: string;
  args: unknown;
}

/** What an official SDK client makes of a streamed answer. */
export interface SdkStream {
  /** The text it streamed, delta by delta. */
  text: string;
  /** The tool calls of the answer it assembled. */
  calls: SdkCall[];
  /** The answer it assembled (Gemini's SDK assembles none: its chunks' parts joined under the last chunk). */
  final: WireObject;
  /** The error a finished answer reports (OpenAI Responses ends a response it could not finish this way). */
  error?: string;
}

/** A format's official SDK, called as an agent would call it, against a base URL. */
export interface SdkClient {
  /** A streamed call: what the SDK makes of the stream (rejects with the error the SDK raises). */
  stream(baseUrl: string): Promise<SdkStream>;
  /** A call answered as one JSON body (rejects with the error the SDK raises). */
  create(baseUrl: string): Promise<unknown>;
}

/** What a format's `fixtures.ts` gives the contract: its API's wire shapes, built from plain descriptions. */
export interface FormatFixtures {
  /** The path a client posts a conversation to. */
  path: string;
  /** False when the model's calls carry no ids (Gemini gives them none unless the caller asked). */
  responseCallIds: boolean;
  /** The turns as an agent sends them: this format's message list. */
  conversation(turns: readonly Turn[]): unknown[];
  /** A request body around `messages`, listing the agent's own tools. */
  requestBody(messages: readonly unknown[]): WireObject;
  /** The tool entries a request body lists, in order. */
  tools(body: WireObject): unknown[];
  /** The API's JSON answer for the `n`th round of a turn. */
  response(round: Round, n: number): WireObject;
  /** The events the API streams for `response`, in order. */
  events(response: WireObject): SseEvent[];
  /** The answer text of a response, as a client shows it (thinking left out). */
  text(response: WireObject): string;
  /** Why a response ended, in the words of `Round.stop`. */
  stop(response: WireObject): Round['stop'];
  sdk: SdkClient;
}

type Defaulted = 'responseCallIds' | 'tools';

/** A format's fixtures from what they state: unless they say otherwise, calls carry ids and tools sit in `tools`. */
export function defineFixtures(
  spec: Omit<FormatFixtures, Defaulted> & Partial<Pick<FormatFixtures, Defaulted>>,
): FormatFixtures {
  return { responseCallIds: true, tools: (body) => objects(body.tools), ...spec };
}

/** The id of the original the model reads back in these rounds. */
export const LOG_ID = 'hr_3f9a1c2b7d10';

export const retrieveCall = (id: string): Call => ({
  id,
  name: RETRIEVE_TOOL_NAME,
  input: { id: LOG_ID, query: 'FATAL' },
});
export const bashCall = (id: string): Call => ({
  id,
  name: 'Bash',
  input: { command: 'npm test -- --grep reducer' },
});
export const readCall = (id: string): Call => ({ id, name: 'Read', input: { file_path: 'src/job.ts' } });

/** Text in word-sized deltas, as models stream it. */
export function wordPieces(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text];
}

/** JSON arguments in short slices, as models stream them. */
export function argumentPieces(json: string, size = 9): string[] {
  const out: string[] = [];
  for (let i = 0; i < json.length; i += size) out.push(json.slice(i, i + size));
  return out.length ? out : [''];
}

/** A conversation of an agent asked why a job failed: a shell log (`log`) and two small outputs. */
function turnsWith(log: string): Turn[] {
  return [
    {
      question: 'Why did the nightly job fail?',
      calls: [
        {
          id: 'call_log',
          name: 'Bash',
          input: { command: 'kubectl logs job/nightly --tail=2000' },
          output: log,
        },
        { id: 'call_ls', name: 'Bash', input: { command: 'ls src/jobs' }, output: 'nightly.ts\nreport.ts\n' },
      ],
      answer: 'The job ran out of memory in the reducer.',
    },
    {
      question: 'Which file schedules it?',
      calls: [
        {
          id: 'call_grep',
          name: 'Grep',
          input: { pattern: 'cron', path: 'src' },
          output: 'src/jobs/nightly.ts:3:  cron: "0 2 * * *",',
        },
      ],
    },
  ];
}

const SMALL_LOG = 'job nightly: exit code 137 (OOMKilled)\n';

/** The rounds of the turn these cases play: the model reads the log back beside an agent call, then answers. */
const lookup: Round = {
  thinking: 'The log was shortened; the FATAL lines are what matter.',
  text: 'Checking the tests and the log.',
  calls: [bashCall('call_b1'), retrieveCall('call_r1')],
  stop: 'tool',
  usage: { input: 1200, output: 70, cacheRead: 5000 },
};
const answer: Round = {
  text: 'The log shows an OutOfMemoryError.',
  usage: { input: 1400, output: 30, cacheRead: 5000 },
};
const retrieveOnly: Round = {
  text: 'Let me read the FATAL lines of the full log.',
  calls: [retrieveCall('call_r1')],
  stop: 'tool',
  usage: { input: 900, output: 40 },
};
const cut: Round = { calls: [retrieveCall('call_r1')], stop: 'length', usage: { input: 900, output: 4096 } };

/** A found output as data (its `encode` function left out). */
const asData = ({ encode: _, ...output }: FoundOutput) => output;

/** The text a found output's wire field holds for `text`. */
const wireText = (output: FoundOutput, text: string) => (output.encode ? output.encode(text) : text);

/** `messages` with each tool output's wire field written from `textFor(output)`, as a write-back does. */
function writeOutputs(
  format: WireFormat,
  messages: readonly unknown[],
  textFor: (output: FoundOutput) => string,
) {
  return format
    .toolOutputs(messages)
    .reduce<unknown>(
      (result, output) => replaceAt(result, output.path, wireText(output, textFor(output))),
      messages,
    );
}

/** The JSON of `messages` with every tool output blanked: everything but the outputs, byte for byte. */
const blanked = (format: WireFormat, messages: readonly unknown[]) =>
  JSON.stringify(writeOutputs(format, messages, () => '<output>'));

const parsed = (args: unknown) => (typeof args === 'string' ? parseJson(args) : args);

/** The calls of a response as data: name, id and parsed arguments. */
function callsOf(format: WireFormat, response: WireObject) {
  return format
    .clientCalls(response)
    .map((call) => ({ name: call.name, callId: call.callId, args: parsed(call.args) }));
}

/** The usage of a response, normalised. */
function usageOfResponse(format: WireFormat, response: WireObject): UpstreamUsage {
  const usage: UpstreamUsage = {};
  format.usageFromResponse(response, usage);
  return usage;
}

/** The usage a stream's events carry, normalised, as the proxy taps it. */
function usageOfEvents(format: WireFormat, events: readonly SseEvent[]): UpstreamUsage {
  const usage: UpstreamUsage = {};
  for (const event of events) format.usageFromEvent(event.event, event.data, usage);
  return usage;
}

/** One stream of a turn's rounds as the proxy drives it: each round's events, `endRound()`, then `finish()`. */
export function streamRounds(format: WireFormat, fixtures: FormatFixtures, rounds: readonly WireObject[]) {
  const stream = format.createStream(RETRIEVE_ONLY);
  const events: SseEvent[] = [];
  const assembled: WireObject[] = [];
  for (const response of rounds) {
    for (const event of fixtures.events(response)) events.push(...stream.push(event));
    assembled.push(stream.endRound().response);
  }
  events.push(...stream.finish());
  return { events, assembled };
}

/** Events as a client reads them: each one's name and its data (parsed, when it is JSON). */
function readAs(events: readonly SseEvent[]) {
  return events.map((event) => ({ event: event.event, data: parseJson(event.data) ?? event.data }));
}

/** The response a fresh rewriter assembles from a client stream, as it would from the upstream's. */
function assemble(format: WireFormat, events: readonly SseEvent[]): WireObject {
  const stream = format.createStream(RETRIEVE_ONLY);
  for (const event of events) stream.push(event);
  return stream.endRound().response;
}

/** The error message an SDK reports for a stream: raised, or carried by the answer it finished. */
function streamError(client: SdkClient, baseUrl: string): Promise<string | undefined> {
  return client.stream(baseUrl).then(
    (read) => read.error,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

export function describeWireFormat(format: WireFormat, fixtures: FormatFixtures): void {
  const log = realOutput('log-express-debug');
  const turns = turnsWith(log.text);
  const conversation = fixtures.conversation(turns);
  const small = fixtures.conversation(turnsWith(SMALL_LOG));
  const calls = turns.flatMap((turn) => turn.calls.map((call) => ({ ...call, question: turn.question })));
  const lastQuestion = turns.at(-1)!.question;
  const responseCallId = (call: Call) => (fixtures.responseCallIds ? call.id : '');
  const [first, second] = [fixtures.response(lookup, 1), fixtures.response(answer, 2)] as const;
  const bash = lookup.calls![0]!;
  const retrieve = lookup.calls![1]!;

  describe(`wire format contract: ${format.name}`, () => {
    let upstream: FakeUpstream;
    beforeAll(async () => {
      upstream = await startFakeUpstream();
    });
    afterAll(() => upstream.close());

    it('routes its endpoint to itself and recognises its own conversation', () => {
      expect(formatOfRequest('POST', format.provider, fixtures.path)).toBe(format);
      expect(format.recognises(conversation)).toBe(true);
      expect(detectFormat(conversation)).toBe(format);
    });

    it('finds every tool output with its call id, tool, arguments and the question before it, in order', () => {
      const outputs = format.toolOutputs(conversation);
      expect(
        outputs.map((o) => ({
          callId: o.callId,
          toolName: o.toolName,
          args: parseJson(o.toolArgs),
          text: o.text,
          userText: o.userText,
        })),
      ).toEqual(
        calls.map((call) => ({
          callId: call.id,
          toolName: call.name,
          args: call.input,
          text: call.output,
          userText: call.question,
        })),
      );
      for (const output of outputs)
        expect(valueAt(conversation, output.path)).toBe(wireText(output, output.text));
    });

    it('tells history what the model wrote, before the outputs it wrote it for, and its own answers', () => {
      const texts = format.modelTexts(conversation);
      const outputs = format.toolOutputs(conversation);
      for (const call of calls) {
        const output = outputs.find((o) => o.text === call.output)!;
        const asked = texts.find((t) => t.text.includes(String(call.input.command ?? call.input.pattern)));
        expect(asked, `the call of ${call.id}`).toBeDefined();
        expect(asked!.message).toBeLessThan(Number(output.path[0]));
      }
      const answered = texts.find((t) => t.text.includes(turns[0]!.answer!));
      expect(answered!.message).toBeGreaterThan(Number(outputs[0]!.path[0]));
      // The user's words and the outputs are not the model's.
      expect(texts.some((t) => t.text.includes(turns[0]!.question) || t.text.includes(SMALL_LOG))).toBe(
        false,
      );
    });

    it('names a conversation by an opening that stays put as it grows, and keeps its cache at least 5 minutes', () => {
      const opening = (messages: readonly unknown[]) =>
        JSON.stringify(format.conversationOpening(fixtures.requestBody(messages)));
      const grown = fixtures.conversation([...turns, { question: 'And the report?', calls: [] }]);
      expect(opening(grown)).toBe(opening(conversation));
      const other = fixtures.conversation([
        { ...turns[0]!, question: 'Why is the report late?' },
        ...turns.slice(1),
      ]);
      expect(opening(other)).not.toBe(opening(conversation));
      expect(format.cacheLifetimeMs(fixtures.requestBody(conversation))).toBeGreaterThanOrEqual(5 * 60_000);
    });

    it('writes back to the same messages when nothing changes', () => {
      expect(writeOutputs(format, conversation, (output) => output.text)).toEqual(conversation);
      const result = compressMessages(createEngine(), format, small);
      expect(result.changed).toBe(false);
      expect(result.messages).toBe(small);
    });

    it('changes only the tool output strings when it compresses a big log, and marks what it shortened', () => {
      const result = compressMessages(createEngine(), format, conversation);
      expect(result.changed).toBe(true);
      expect(blanked(format, result.messages)).toBe(blanked(format, conversation));
      const texts = format.toolOutputs(result.messages).map((o) => o.text);
      expect(texts.slice(1)).toEqual(calls.slice(1).map((call) => call.output));
      expect(texts[0]!.length).toBeLessThan(log.text.length / 2);
      expect(texts[0]).toMatch(MARKER_PATTERN);
      expect(result.rewritten).toEqual({ before: [log.text], after: [texts[0]] });
      expect(result.originals.map((o) => o.text)).toEqual([log.text]);
    });

    it('offers headroom_retrieve as one more tool in its own shape, once, for under 110 tokens', () => {
      const body = fixtures.requestBody(conversation);
      const definition = retrieveToolDefinition(format);
      const offered = withRetrieveTool(format, body);
      expect(fixtures.tools(offered)).toEqual([...fixtures.tools(body), definition]);
      expect({ ...offered, tools: null }).toEqual({ ...body, tools: null });
      expect(hasRetrieveTool(body)).toBe(false);
      expect(hasRetrieveTool(offered)).toBe(true);
      expect(withRetrieveTool(format, offered)).toBe(offered);
      expect(countTokens(JSON.stringify(definition), 'o200k_base')).toBeLessThan(110);
    });

    it('finds the model’s headroom_retrieve calls with their arguments, and none in a cut response', () => {
      const expected = {
        callId: responseCallId(retrieve),
        name: RETRIEVE_TOOL_NAME,
        args: { id: LOG_ID, query: 'FATAL' },
      };
      expect(findAnsweredCalls(format, fixtures.response(retrieveOnly, 1), RETRIEVE_ONLY)).toEqual({
        calls: [expected],
        otherToolCalls: false,
      });
      expect(findAnsweredCalls(format, first, RETRIEVE_ONLY)).toEqual({
        calls: [expected],
        otherToolCalls: true,
      });
      expect(findAnsweredCalls(format, second, RETRIEVE_ONLY)).toEqual({ calls: [], otherToolCalls: false });
      const truncated = fixtures.response(cut, 1);
      expect(format.truncated(truncated)).toBe(true);
      expect(findAnsweredCalls(format, truncated, RETRIEVE_ONLY).calls).toEqual([]);
    });

    it('continues a turn with the model’s turn minus the agent’s call and the answer, which its view reads back', () => {
      const body = withRetrieveTool(format, fixtures.requestBody(small));
      const content = 'FATAL java.lang.OutOfMemoryError: Java heap space';
      const next = continueWithResults(
        format,
        body,
        first,
        [{ callId: responseCallId(retrieve), name: RETRIEVE_TOOL_NAME, content }],
        RETRIEVE_ONLY,
      );
      const key = format.messagesKey;
      const before = body[key] as unknown[];
      const after = next[key] as unknown[];
      expect({ ...next, [key]: null }).toEqual({ ...body, [key]: null });
      expect(after.slice(0, before.length)).toEqual(before);
      const added = JSON.stringify(after.slice(before.length));
      expect(added).toContain(lookup.text);
      expect(added).not.toContain(String(bash.input.command));
      expect(detectFormat(after)).toBe(format);
      const view = format.toolOutputs(after).map(asData);
      expect(view.slice(0, -1)).toEqual(format.toolOutputs(before).map(asData));
      expect(view.at(-1)).toMatchObject({
        callId: responseCallId(retrieve) || undefined,
        toolName: RETRIEVE_TOOL_NAME,
        text: content,
        userText: lastQuestion,
      });
      expect(parseJson(view.at(-1)!.toolArgs)).toEqual(retrieve.input);
    });

    it('merges a turn’s rounds into one answer: both texts, only the agent’s call, usage summed', () => {
      const merged = mergeResponses(format, [first, second], RETRIEVE_ONLY);
      const text = fixtures.text(merged);
      expect(text.indexOf(lookup.text!)).toBeGreaterThanOrEqual(0);
      expect(text.indexOf(answer.text!)).toBeGreaterThan(text.indexOf(lookup.text!));
      expect(callsOf(format, merged)).toEqual([
        { name: bash.name, callId: responseCallId(bash), args: bash.input },
      ]);
      expect(fixtures.stop(merged)).toBe('tool');
      expect(JSON.stringify(merged)).not.toContain(RETRIEVE_TOOL_NAME);
      expect(usageOfResponse(format, merged)).toMatchObject({
        inputTokens: lookup.usage.input + answer.usage.input,
        outputTokens: lookup.usage.output + answer.usage.output,
        cacheReadTokens: (lookup.usage.cacheRead ?? 0) + (answer.usage.cacheRead ?? 0),
      });
    });

    it('assembles each streamed round as the API returns it as JSON', () => {
      const rounds = [first, second, fixtures.response(cut, 3)];
      const { assembled } = streamRounds(format, fixtures, rounds);
      assembled.forEach((response, i) => {
        const json = rounds[i]!;
        expect(findAnsweredCalls(format, response, RETRIEVE_ONLY)).toEqual(
          findAnsweredCalls(format, json, RETRIEVE_ONLY),
        );
        expect(callsOf(format, response)).toEqual(callsOf(format, json));
        expect(fixtures.text(response)).toBe(fixtures.text(json));
        expect(fixtures.stop(response)).toBe(fixtures.stop(json));
        expect(format.usageOf(response)).toEqual(format.usageOf(json));
      });
    });

    it('rewrites a streamed turn into one client stream that reads as the merged answer', () => {
      const { events } = streamRounds(format, fixtures, [first, second]);
      expect(events.map((e) => e.data).join('\n')).not.toContain(RETRIEVE_TOOL_NAME);
      const read = assemble(format, events);
      const merged = mergeResponses(format, [first, second], RETRIEVE_ONLY);
      expect(fixtures.text(read)).toBe(fixtures.text(merged));
      expect(callsOf(format, read)).toEqual(callsOf(format, merged));
      expect(fixtures.stop(read)).toBe('tool');
      expect(usageOfEvents(format, events)).toEqual(usageOfResponse(format, merged));
    });

    it('tells a round whose stream reached its end from one cut off before it', () => {
      for (const response of [first, second]) {
        const events = fixtures.events(response);
        const whole = format.createStream(RETRIEVE_ONLY);
        for (const event of events) whole.push(event);
        expect(whole.endRound().complete).toBe(true);
        const cut = format.createStream(RETRIEVE_ONLY);
        for (const event of events.slice(0, Math.min(Math.ceil(events.length / 2), events.length - 1)))
          cut.push(event);
        expect(cut.endRound().complete).toBe(false);
      }
    });

    it('passes the events it leaves unchanged as the very objects it was given', () => {
      const stream = format.createStream(RETRIEVE_ONLY);
      let passed = 0;
      const copies: SseEvent[] = [];
      for (const event of fixtures.events(first)) {
        for (const out of stream.push(event)) {
          if (out === event) passed += 1;
          else if (out.event === event.event && isDeepStrictEqual(parseJson(out.data), parseJson(event.data)))
            copies.push(out);
        }
      }
      expect(copies).toEqual([]);
      expect(passed).toBeGreaterThan(0);
    });

    it('passes an answer whose closing events it cannot read as the upstream sent it, making none up', () => {
      const events = fixtures.events(second);
      for (const at of [events.length - 3, events.length - 2, events.length - 1].filter((i) => i >= 0)) {
        const garbled = events.map((event, i) =>
          i === at ? { ...event, data: event.data.slice(0, Math.ceil(event.data.length / 2)) } : event,
        );
        const stream = format.createStream(RETRIEVE_ONLY);
        const out = garbled.flatMap((event) => stream.push(event));
        // As the proxy ends it: a round that reached its end is finished, one that did not is failed.
        const round = stream.endRound();
        const what = `event ${at} of ${events.length} cut`;
        if (round.complete) expect(readAs(out.concat(stream.finish())), what).toEqual(readAs(garbled));
        else expect(out, what).toEqual(garbled);
      }
    });

    it('passes every event of a later round it cannot read as the upstream sent it, in its place', () => {
      /** A rewriter past the first round, and what it sends the client for each of the second's events. */
      const secondRound = (events: readonly SseEvent[]) => {
        const stream = format.createStream(RETRIEVE_ONLY);
        for (const event of fixtures.events(first)) stream.push(event);
        stream.endRound();
        return events.map((event) => stream.push(event));
      };
      const events = fixtures.events(second);
      events.forEach((event, at) => {
        // Cut, it reads as nothing: rewritten, or merged into the turn's own events, it would read as something.
        const garbled = { ...event, data: event.data.slice(0, Math.ceil(event.data.length / 2)) };
        const seen = secondRound(events.map((e, i) => (i === at ? garbled : e)))[at];
        expect(seen, `event ${at} of ${events.length} cut`).toEqual([garbled]);
      });
    });

    it('gives an official SDK client one clean stream of the whole turn', async () => {
      const { events } = streamRounds(format, fixtures, [first, second]);
      upstream.queue({ kind: 'sse', events });
      const read = await fixtures.sdk.stream(upstream.url);
      expect(read.error).toBeUndefined();
      expect(read.text).toBe(fixtures.text(mergeResponses(format, [first, second], RETRIEVE_ONLY)));
      expect(read.calls).toEqual([{ name: bash.name, args: bash.input }]);
    });

    it('ends a turn whose continuation broke off with events the official SDK reads as an error', async () => {
      const stream = format.createStream(RETRIEVE_ONLY);
      const events = fixtures.events(first).flatMap((event) => stream.push(event));
      stream.endRound();
      events.push(...stream.fail({ status: 502, message: 'upstream closed the connection' }));
      expect(stream.failed).toBe(true);
      expect(stream.finish()).toEqual([]);
      upstream.queue({ kind: 'sse', events });
      expect(await streamError(fixtures.sdk, upstream.url)).toContain('upstream closed the connection');
    });

    it('ends a turn whose continuation the upstream refused with the upstream’s own error for the SDK', async () => {
      const stream = format.createStream(RETRIEVE_ONLY);
      const events = fixtures.events(first).flatMap((event) => stream.push(event));
      stream.endRound();
      const body = format.errorBody(429, 'Rate limit reached. Please try again in 7s.');
      events.push(...stream.fail({ status: 429, body, message: 'headroom words' }));
      upstream.queue({ kind: 'sse', events });
      const error = await streamError(fixtures.sdk, upstream.url);
      expect(error).toContain('Please try again in 7s.');
      expect(error).not.toContain('headroom words');
    });

    it('reads the same usage from a response and from its stream', () => {
      for (const [round, response] of [
        [lookup, first],
        [answer, second],
      ] as const) {
        const usage = usageOfResponse(format, response);
        expect(usage).toMatchObject({
          inputTokens: round.usage.input,
          outputTokens: round.usage.output,
          cacheReadTokens: round.usage.cacheRead ?? 0,
        });
        expect(usageOfEvents(format, fixtures.events(response))).toEqual(usage);
      }
    });

    it('answers an error in the provider’s own shape, which the official SDK raises as an API error', async () => {
      upstream.queue({ kind: 'json', status: 502, body: format.errorBody(502, 'upstream unreachable') });
      await expect(fixtures.sdk.create(upstream.url)).rejects.toMatchObject({
        status: 502,
        message: expect.stringContaining('upstream unreachable'),
      });
    });
  });
}
