// Gemini 3 refuses a request whose turn has a step of calls without the thought signature on its first call,
// and when the model calls several tools at once only the first carries it. The retrieve loop takes calls
// out of a step (the agent's, held for the end of the turn; its own, kept from the agent), so the signature
// must move with them: the continuation the proxy sends and the request the agent sends next both carry it.
// The fake upstream refuses as Gemini 3 does; the caller is Google's SDK.

import { type Content, type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import {
  answer,
  type FakeUpstream,
  geminiError,
  type ReceivedRequest,
  type ToolCall,
  unsignedGeminiStep,
} from './helpers/fake-upstream.js';
import { startProxyPerFile } from './helpers/proxy.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started));

const QUESTION = 'Why does the nightly build fail?';
const RETRIEVE: ToolCall = { name: 'headroom_retrieve', input: { id: 'hr_000000000000' } };
const SHELL: ToolCall = { name: 'run_shell_command', input: { command: 'npm test' } };
const PARAMS = {
  model: 'gemini-3-pro-preview',
  config: {
    tools: [
      { functionDeclarations: [{ name: 'run_shell_command', parametersJsonSchema: { type: 'object' } }] },
    ],
  },
};

/** The name of the call the request's last content answers, if it answers one. */
function answering(req: ReceivedRequest): string | undefined {
  const contents = (req.json().contents ?? []) as Content[];
  return contents.at(-1)?.parts?.find((part) => part.functionResponse)?.functionResponse?.name;
}

/** The model: both calls in one step (`calls` in order), then words once it has the log, refusing as Gemini 3. */
function model(calls: ToolCall[]) {
  upstream.script((req) => {
    const unsigned = unsignedGeminiStep(req);
    if (unsigned) return geminiError(400, 'INVALID_ARGUMENT', unsigned);
    const answered = answering(req);
    if (answered === 'headroom_retrieve') return answer(req, { text: 'Running the tests now.' });
    if (answered === 'run_shell_command') return answer(req, { text: 'The tests pass.' });
    return answer(req, { toolCalls: calls });
  });
}

const gemini = () => new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: proxy.url } });

/** The model's turn as the SDK gives it, asked whole or streamed (the streamed chunks' parts in order). */
async function modelTurn(streamed: boolean): Promise<Content> {
  const contents: Content[] = [{ role: 'user', parts: [{ text: QUESTION }] }];
  if (!streamed) {
    const response: GenerateContentResponse = await gemini().models.generateContent({ ...PARAMS, contents });
    return response.candidates?.[0]?.content ?? {};
  }
  const parts = [];
  for await (const chunk of await gemini().models.generateContentStream({ ...PARAMS, contents }))
    parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
  return { role: 'model', parts };
}

/** The agent's next request: its call answered after the model's turn as it came. */
async function answerShell(turn: Content): Promise<string | undefined> {
  const response = await gemini().models.generateContent({
    ...PARAMS,
    contents: [
      { role: 'user', parts: [{ text: QUESTION }] },
      turn,
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'run_shell_command', response: { output: 'ok' } } }],
      },
    ],
  });
  return response.text;
}

describe.each([false, true])('thought signatures through the retrieve loop (streamed: %s)', (streamed) => {
  it('gives the agent’s call the signature the proxy’s own call carried, so its next request is taken', async () => {
    model([{ ...RETRIEVE, signature: 'CiQBsig-of-the-step' }, SHELL]);
    const turn = await modelTurn(streamed);
    const calls = turn.parts?.filter((part) => part.functionCall) ?? [];
    expect(calls).toEqual([
      {
        functionCall: { name: 'run_shell_command', args: SHELL.input },
        thoughtSignature: 'CiQBsig-of-the-step',
      },
    ]);
    expect(turn.parts?.map((part) => part.text ?? '').join('')).toContain('Running the tests now.');
    expect(await answerShell(turn)).toBe('The tests pass.');
  });

  it('gives the proxy’s call the signature of the agent’s call it holds back from the continuation', async () => {
    model([{ ...SHELL, signature: 'CiQBsig-of-the-step' }, RETRIEVE]);
    const turn = await modelTurn(streamed);
    // The continuation was taken (Gemini 3 refuses one whose retrieve call has no signature).
    const continuation = upstream.requests.find((req) => answering(req) === 'headroom_retrieve');
    expect(continuation && unsignedGeminiStep(continuation)).toBeUndefined();
    expect(turn.parts?.filter((part) => part.functionCall)).toEqual([
      {
        functionCall: { name: 'run_shell_command', args: SHELL.input },
        thoughtSignature: 'CiQBsig-of-the-step',
      },
    ]);
    expect(turn.parts?.map((part) => part.text ?? '').join('')).toContain('Running the tests now.');
    expect(await answerShell(turn)).toBe('The tests pass.');
  });
});
