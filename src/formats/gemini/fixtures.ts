// Gemini generateContent as Gemini CLI and the API speak it, for the format contract: contents whose
// functionResponse parts carry `response.output`, a request around them, a round's GenerateContentResponse
// and the chunks `streamGenerateContent?alt=sse` sends for it.

import {
  type Content,
  FinishReason,
  type FunctionDeclaration,
  GenerateContentResponse,
  GoogleGenAI,
  MediaModality,
  type Part,
  type Tool,
} from '@google/genai';
import type { SseEvent } from '../../sse.js';
import { defineFixtures, type Round, type SdkCall, type Turn, wordPieces } from '../format.contract.js';
import { isObject, objects, type WireObject } from '../wire.js';
import { geminiCandidate, geminiParts } from './response.js';

const DECLARATIONS: FunctionDeclaration[] = [
  {
    name: 'Bash',
    description: 'Executes a shell command.',
    parametersJsonSchema: {
      type: 'object',
      properties: { command: { type: 'string' } },
      required: ['command'],
    },
  },
  {
    name: 'Grep',
    description: 'Searches for a pattern in files.',
    parametersJsonSchema: {
      type: 'object',
      properties: { pattern: { type: 'string' }, path: { type: 'string' } },
    },
  },
];

/** Gemini CLI's contents: calls with the ids it gives them, each answered by `functionResponse.response.output`. */
function conversation(turns: readonly Turn[]): Content[] {
  return turns.flatMap((turn): Content[] => [
    { role: 'user', parts: [{ text: turn.question }] },
    {
      role: 'model',
      parts: turn.calls.map((call) => ({ functionCall: { id: call.id, name: call.name, args: call.input } })),
    },
    {
      role: 'user',
      parts: turn.calls.map((call) => ({
        functionResponse: { id: call.id, name: call.name, response: { output: call.output } },
      })),
    },
    ...(turn.answer ? [{ role: 'model', parts: [{ text: turn.answer }] }] : []),
  ]);
}

function requestBody(contents: readonly unknown[]): WireObject {
  return {
    contents,
    systemInstruction: { role: 'user', parts: [{ text: 'You are an interactive CLI agent.' }] },
    tools: [{ functionDeclarations: DECLARATIONS }] satisfies Tool[],
    generationConfig: { temperature: 0, topP: 1, thinkingConfig: { includeThoughts: true } },
  };
}

/** Usage as Gemini reports it: the prompt counts cached tokens, thinking is counted apart from the answer. */
function usageMetadata(round: Round, final: boolean): GenerateContentResponse['usageMetadata'] {
  const prompt = round.usage.input + (round.usage.cacheRead ?? 0);
  const thoughts = round.thinking ? Math.floor(round.usage.output / 2) : 0;
  return {
    promptTokenCount: prompt,
    ...(final ? { candidatesTokenCount: round.usage.output - thoughts } : {}),
    totalTokenCount: prompt + (final ? round.usage.output : 0),
    ...(round.usage.cacheRead ? { cachedContentTokenCount: round.usage.cacheRead } : {}),
    promptTokensDetails: [{ modality: MediaModality.TEXT, tokenCount: prompt }],
    ...(final && thoughts ? { thoughtsTokenCount: thoughts } : {}),
  };
}

/** A round as the API answers it: thought summary, text, calls without ids (the first with the thought signature). */
export function geminiResponse(round: Round, n: number): WireObject {
  const parts: Part[] = [];
  if (round.thinking) parts.push({ text: round.thinking, thought: true });
  if (round.text) parts.push({ text: round.text });
  (round.calls ?? []).forEach((call, i) => {
    parts.push({
      functionCall: { name: call.name, args: call.input },
      ...(i === 0 && round.thinking ? { thoughtSignature: `CiQB0e2Kb${n}TUnkn2bXcGg==` } : {}),
    });
  });
  const finishReason = round.stop === 'length' ? FinishReason.MAX_TOKENS : FinishReason.STOP;
  const response = {
    candidates: [{ content: { role: 'model', parts }, finishReason, index: 0 }],
    usageMetadata: usageMetadata(round, true),
    modelVersion: 'gemini-2.5-pro',
    responseId: `Yk9vaNn${n}Bo6zjMcP`,
  } satisfies Pick<GenerateContentResponse, 'candidates' | 'usageMetadata' | 'modelVersion' | 'responseId'>;
  return response;
}

/**
 * The chunks of `streamGenerateContent?alt=sse`: thoughts, then text a few words at a time, then the calls
 * whole; every chunk carries the usage so far, the last one the finish reason and the round's usage.
 */
export function geminiEvents(response: WireObject): SseEvent[] {
  const candidate = geminiCandidate(response);
  const groups: WireObject[][] = [];
  for (const part of geminiParts(response)) {
    if (typeof part.text !== 'string') {
      groups.push([part]);
      continue;
    }
    const words = wordPieces(part.text);
    for (let i = 0; i < words.length; i += 3)
      groups.push([{ ...part, text: words.slice(i, i + 3).join('') }]);
  }
  const usage = isObject(response.usageMetadata) ? response.usageMetadata : {};
  const { candidatesTokenCount: _c, thoughtsTokenCount: _t, ...running } = usage;
  const prompt = typeof usage.promptTokenCount === 'number' ? usage.promptTokenCount : 0;
  return groups.map((parts, i) => {
    const last = i === groups.length - 1;
    const chunk = {
      candidates: [
        {
          content: { role: 'model', parts },
          ...(last ? { finishReason: candidate.finishReason } : {}),
          index: 0,
        },
      ],
      usageMetadata: last ? usage : { ...running, totalTokenCount: prompt },
      modelVersion: response.modelVersion,
      responseId: response.responseId,
    };
    return { event: '', data: JSON.stringify(chunk) };
  });
}

const answerText = (parts: readonly Part[]) =>
  parts.flatMap((part) => (typeof part.text === 'string' && !part.thought ? [part.text] : [])).join('');

const client = (baseUrl: string) => new GoogleGenAI({ apiKey: 'AIza-test-key', httpOptions: { baseUrl } });
const ask = {
  model: 'gemini-2.5-pro',
  contents: [{ role: 'user', parts: [{ text: 'Why did the nightly job fail?' }] }],
};

export const fixtures = defineFixtures({
  path: '/v1beta/models/gemini-2.5-pro:streamGenerateContent',
  responseCallIds: false,
  conversation,
  requestBody,
  tools: (body) => objects(body.tools).flatMap((tool) => objects(tool.functionDeclarations)),
  response: geminiResponse,
  events: geminiEvents,
  text: (response) => answerText(geminiParts(response)),
  stop: (response) =>
    geminiCandidate(response).finishReason === FinishReason.MAX_TOKENS
      ? 'length'
      : geminiParts(response).some((part) => isObject(part.functionCall))
        ? 'tool'
        : 'end',
  sdk: {
    async stream(baseUrl) {
      const chunks: GenerateContentResponse[] = [];
      for await (const chunk of await client(baseUrl).models.generateContentStream(ask)) chunks.push(chunk);
      const parts = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []);
      const calls = parts.flatMap((part): SdkCall[] =>
        part.functionCall ? [{ name: String(part.functionCall.name), args: part.functionCall.args }] : [],
      );
      const { sdkHttpResponse: _http, ...last } = chunks.at(-1) ?? new GenerateContentResponse();
      const candidate = last.candidates?.[0] ?? {};
      const final = { ...last, candidates: [{ ...candidate, content: { role: 'model', parts } }] };
      return { text: answerText(parts), calls, final };
    },
    create: (baseUrl) => client(baseUrl).models.generateContent(ask),
  },
});
