// What only Gemini's wire format has to get right, beyond the contract every format passes: responses to
// calls without ids, Gemini CLI's tools in the engine, where the function declaration goes, the exact
// continuation and merge of its parts, thinking in its usage.

import { describe, expect, it } from 'vitest';
import { geminiContents, turnsFor } from '../../../test/helpers/conversation.js';
import { compress, compressRequestBody } from '../../../test/helpers/engine.js';
import { realOutput, realSourceFile } from '../../../test/helpers/real-outputs.js';
import { markerIds } from '../../compress/marker.js';
import {
  hasRetrieveTool,
  RETRIEVE_ONLY,
  RETRIEVE_TOOL_NAME,
  retrieveToolDefinition,
  withRetrieveTool,
} from '../../retrieve/tool.js';
import { continueWithResults, mergeResponses } from '../../tools/loop.js';
import { type Call, retrieveCall, streamRounds } from '../format.contract.js';
import type { UpstreamUsage } from '../types.js';
import type { WireObject } from '../wire.js';
import { fixtures } from './fixtures.js';
import { gemini } from './index.js';
import { geminiParts } from './response.js';

const log = realOutput('log-express-debug');
const json = realOutput('json-npm-query-root-deps');

describe('Gemini provider view', () => {
  it('pairs responses with id-less calls by name, in order, and reads strings nested in the response', () => {
    const contents = [
      { role: 'user', parts: [{ text: 'Look at both files.' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'run_shell_command', args: { command: 'cat a.log' } } },
          { functionCall: { name: 'run_shell_command', args: { command: 'npm test' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'run_shell_command', response: { output: 'A' } } },
          {
            functionResponse: {
              name: 'run_shell_command',
              response: { error: 'exit 1', content: [{ type: 'text', text: 'B' }] },
            },
          },
        ],
      },
    ];
    const outputs = gemini.toolOutputs(contents);
    expect(outputs.map((o) => [o.text, JSON.parse(o.toolArgs).command, o.path.slice(4).join('.')])).toEqual([
      ['A', 'cat a.log', 'response.output'],
      ['exit 1', 'npm test', 'response.error'],
      ['B', 'npm test', 'response.content.0.text'],
    ]);
    expect(outputs.every((o) => o.userText === 'Look at both files.')).toBe(true);
  });
});

describe('compressing Gemini contents', () => {
  const contents = geminiContents(turnsFor([log, json]));

  it('detects the format and shortens the big outputs, keeping the needles or their originals', () => {
    const result = compress(contents);
    const after = JSON.stringify(result.messages);
    expect(after.length).toBeLessThan(JSON.stringify(contents).length * 0.5);
    const originals = new Map(result.originals.map((o) => [o.id, o.text]));
    for (const item of [log, json]) {
      for (const needle of item.needles) {
        const kept = after.includes(JSON.stringify(needle).slice(1, -1));
        const retrievable = markerIds(after).some((id) => originals.get(id)?.includes(needle));
        expect(kept || retrievable, `${item.name}: ${needle}`).toBe(true);
      }
    }
    expect(result.stats.blocks.map((b) => b.transform)).toEqual(['logs', 'json']);
  });

  it('is deterministic and keeps earlier contents byte for byte when a turn is added', () => {
    const body = (n: number) => ({
      contents: geminiContents(turnsFor([log, json, realOutput('search-grep-undici-timeout')].slice(0, n))),
      generationConfig: { temperature: 0 },
    });
    const two = JSON.stringify(compressRequestBody('gemini', body(2)).body);
    expect(JSON.stringify(compressRequestBody('gemini', body(2)).body)).toBe(two);
    const three = compressRequestBody('gemini', body(3)).body as WireObject;
    const earlier = JSON.stringify((three.contents as unknown[]).slice(0, 8));
    expect(JSON.stringify((JSON.parse(two) as WireObject).contents)).toBe(earlier);
  });

  it('passes Gemini CLI’s reads of source files and its edits whole, and small outputs untouched', () => {
    // A source file of a few hundred lines, read by both read tools: the model may edit it by exact text.
    const source = `${realSourceFile().text.split('\n').slice(0, 200).join('\n')}\n`;
    const tools = ['read_file', 'read_many_files', 'replace', 'write_file'];
    const args: Record<string, unknown>[] = [
      { absolute_path: '/repo/src/client.ts' },
      { paths: ['src/'] },
      {},
      {},
    ];
    const calls = tools.map((name, i) => ({ functionCall: { id: `c${i}`, name, args: args[i] } }));
    const answers = tools.map((name, i) => ({
      functionResponse: { id: `c${i}`, name, response: { output: i < 2 ? source : log.text } },
    }));
    const small = { functionResponse: { name: 'list_directory', response: { output: 'src/\ntest/' } } };
    const list = [
      { role: 'user', parts: [{ text: 'Fix the bug.' }] },
      { role: 'model', parts: [...calls, { functionCall: { name: 'list_directory', args: {} } }] },
      { role: 'user', parts: [...answers, small] },
    ];
    const result = compress(list, { format: 'gemini' });
    expect(result.messages).toBe(list);
    expect(result.stats.blocks.map((b) => b.skipped)).toEqual([
      'file-read',
      'file-read',
      'edit-tool',
      'edit-tool',
      'below-threshold',
    ]);
  });
});

describe('headroom_retrieve as a Gemini function declaration', () => {
  const declaration = retrieveToolDefinition(gemini);
  const shell = { name: 'run_shell_command', parametersJsonSchema: { type: 'object' } };

  it('is appended last to the last functionDeclarations array', () => {
    const body = { contents: [], tools: [{ functionDeclarations: [shell] }, { functionDeclarations: [] }] };
    const offered = withRetrieveTool(gemini, body);
    expect(offered.tools).toEqual([
      { functionDeclarations: [shell] },
      { functionDeclarations: [declaration] },
    ]);
    expect(hasRetrieveTool(offered)).toBe(true);
    expect(withRetrieveTool(gemini, offered)).toBe(offered);
    expect(declaration).toMatchObject({ name: 'headroom_retrieve', parameters: { type: 'OBJECT' } });
  });

  it('becomes the only tool of a request without tools, and stays out of a search-only request', () => {
    expect(withRetrieveTool(gemini, { contents: [] }).tools).toEqual([
      { functionDeclarations: [declaration] },
    ]);
    const search = { contents: [], tools: [{ googleSearch: {} }] };
    expect(withRetrieveTool(gemini, search)).toBe(search);
  });
});

describe('the retrieve loop on Gemini responses', () => {
  const agentCall: Call = { id: 'call_shell', name: 'run_shell_command', input: { command: 'npm test' } };
  const first = fixtures.response(
    {
      text: 'Reading the log.',
      calls: [retrieveCall('call_r1'), agentCall],
      stop: 'tool',
      usage: { input: 1000, output: 30 },
    },
    1,
  );
  const second = fixtures.response({ text: 'The datanode died.', usage: { input: 1200, output: 20 } }, 2);
  const [text, retrieve, agent] = geminiParts(first);

  it('continues with the model turn minus the agent’s call and a functionResponse per answer', () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'Why?' }] }], tools: [] };
    const next = continueWithResults(
      gemini,
      body,
      first,
      [{ callId: '', name: RETRIEVE_TOOL_NAME, content: 'FATAL x' }],
      RETRIEVE_ONLY,
    );
    expect(next.contents).toEqual([
      ...body.contents,
      { role: 'model', parts: [text, retrieve] },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'headroom_retrieve', response: { output: 'FATAL x' } } }],
      },
    ]);
  });

  it('merges the rounds: all text, then the agent’s call, usage summed, the first round’s id', () => {
    const merged = mergeResponses(gemini, [first, second], RETRIEVE_ONLY);
    expect(merged.candidates).toEqual([
      {
        content: {
          role: 'model',
          parts: [{ text: 'Reading the log.' }, { text: '\n\nThe datanode died.' }, agent],
        },
        finishReason: 'STOP',
        index: 0,
      },
    ]);
    expect(merged.usageMetadata).toMatchObject({
      promptTokenCount: 2200,
      candidatesTokenCount: 50,
      totalTokenCount: 2250,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2200 }],
    });
    expect(merged.responseId).toBe(first.responseId);
  });
});

describe('thought signatures through the retrieve loop (Gemini 3 refuses a step whose first call has none)', () => {
  const agentCall: Call = { id: 'call_shell', name: 'run_shell_command', input: { command: 'npm test' } };
  const round = (calls: Call[]) =>
    fixtures.response({ thinking: 'Which log?', calls, stop: 'tool', usage: { input: 1000, output: 30 } }, 1);
  const closing = fixtures.response({ text: 'The datanode died.', usage: { input: 1200, output: 20 } }, 2);
  const answer = [{ callId: '', name: RETRIEVE_TOOL_NAME, content: 'FATAL x' }];
  const signatureOf = (response: WireObject) =>
    geminiParts(response).find((part) => part.thoughtSignature)?.thoughtSignature;
  const callsOf = (parts: readonly WireObject[]) => parts.filter((part) => part.functionCall);

  it('gives the agent’s call the signature the proxy’s own call carried, answered whole and streamed', () => {
    const first = round([retrieveCall('call_r1'), agentCall]);
    const signature = signatureOf(first);
    expect(signature).toBeDefined();
    const merged = mergeResponses(gemini, [first, closing], RETRIEVE_ONLY);
    expect(callsOf(geminiParts(merged))).toEqual([
      {
        functionCall: { name: 'run_shell_command', args: { command: 'npm test' } },
        thoughtSignature: signature,
      },
    ]);
    const { events } = streamRounds(gemini, fixtures, [first, closing]);
    const streamed = events.flatMap((event) => geminiParts(JSON.parse(event.data) as WireObject));
    expect(callsOf(streamed)).toEqual(callsOf(geminiParts(merged)));
  });

  it('gives the proxy’s call the signature of the agent’s call it holds back from the continuation', () => {
    const first = round([agentCall, retrieveCall('call_r1')]);
    const body = { contents: [{ role: 'user', parts: [{ text: 'Why?' }] }], tools: [] };
    const next = continueWithResults(gemini, body, first, answer, RETRIEVE_ONLY);
    const turn = (next.contents as WireObject[])[1] ?? {};
    expect(callsOf(turn.parts as WireObject[])).toEqual([
      {
        functionCall: { name: RETRIEVE_TOOL_NAME, args: retrieveCall('call_r1').input },
        thoughtSignature: signatureOf(first),
      },
    ]);
    // The agent's call goes out with its own signature, as it came.
    const merged = mergeResponses(gemini, [first, closing], RETRIEVE_ONLY);
    expect(callsOf(geminiParts(merged))).toEqual([geminiParts(first)[1]]);
  });

  it('leaves a step whose signed call stays, and calls that have their own, as they came', () => {
    const first = round([agentCall, retrieveCall('call_r1')]);
    const signedAgain = fixtures.response(
      {
        thinking: 'Now the tests.',
        calls: [{ ...agentCall, input: { command: 'npm run lint' } }],
        usage: { input: 1300, output: 10 },
      },
      3,
    );
    const merged = mergeResponses(gemini, [first, signedAgain], RETRIEVE_ONLY);
    expect(callsOf(geminiParts(merged))).toEqual([geminiParts(first)[1], geminiParts(signedAgain)[1]]);
  });
});

describe('Gemini usage', () => {
  it('counts thinking as output, as Gemini bills it, and the cached part of the prompt apart', () => {
    const usage: UpstreamUsage = {};
    gemini.usageFromResponse(
      {
        modelVersion: 'gemini-2.5-pro',
        usageMetadata: {
          promptTokenCount: 6200,
          cachedContentTokenCount: 5000,
          candidatesTokenCount: 40,
          thoughtsTokenCount: 30,
          totalTokenCount: 6270,
        },
      },
      usage,
    );
    expect(usage).toEqual({
      model: 'gemini-2.5-pro',
      inputTokens: 1200,
      cacheReadTokens: 5000,
      outputTokens: 70,
    });
  });
});
