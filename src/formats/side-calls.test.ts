// Agents' side calls: small-model requests that embed a command's whole output in user text for one narrow
// question. Each is recognised by its fixed instruction and shape, and only its embedded output changes.

import { describe, expect, it } from 'vitest';
import { compressRequestBody } from '../../test/helpers/engine.js';
import { realOutput } from '../../test/helpers/real-outputs.js';
import { markerIds } from '../compress/marker.js';

const log = realOutput('log-express-debug').text;

const pathsInstruction =
  'Extract any file paths that this command reads or modifies. For commands like "git diff" and "cat", include the paths of files being shown.';

/** Claude Code's request asking which files a Bash command read, as it sends it. */
function claudeCodePathsCall(command: string, output: string) {
  return {
    model: 'claude-haiku-4-5',
    max_tokens: 32000,
    system: [
      { type: 'text', text: 'You are a Claude agent, built on Anthropic’s Claude Agent SDK.' },
      { type: 'text', text: pathsInstruction },
    ],
    messages: [{ role: 'user', content: [{ type: 'text', text: `Command: ${command}\nOutput: ${output}` }] }],
  };
}

const summarizePrompt = (output: string) =>
  `Summarize the following tool output to be a maximum of 2000 tokens. The summary should be concise and capture the main points of the tool output.\n\nText to summarize:\n"${output}"\n\nReturn the summary string which should first contain an overall summarization of text followed by the full stack trace of errors and warnings in the tool output.\n`;

const userText = (body: unknown) => {
  const message = (body as { messages: { content: { text: string }[] }[] }).messages[0];
  return message?.content[0]?.text ?? '';
};

describe('Claude Code’s Bash paths side call', () => {
  it('sends the command and only the files its output names, with the whole output kept for retrieval', () => {
    const body = claudeCodePathsCall('awk 1 server.log', log);
    const out = compressRequestBody('anthropic', body);
    expect(out.sideCall).toBe('claude-code-bash-paths');
    const text = userText(out.body);
    expect(text.startsWith('Command: awk 1 server.log\nOutput: ')).toBe(true);
    expect(text).toContain('node_modules/body-parser/lib/read.js');
    expect(text).not.toContain('GET /orders/7');
    expect(text.length).toBeLessThan(log.length / 20);
    const [id] = markerIds(text);
    expect(out.originals.find((original) => original.id === id)?.text).toBe(log);
    expect(JSON.stringify((out.body as { system: unknown }).system)).toBe(JSON.stringify(body.system));
  });

  it('is not a side call when the request carries tools or another instruction', () => {
    const withTools = {
      ...claudeCodePathsCall('cat a.log', log),
      tools: [{ name: 'Bash', input_schema: {} }],
    };
    expect(compressRequestBody('anthropic', withTools).sideCall).toBeUndefined();
    const other = { ...claudeCodePathsCall('cat a.log', log), system: 'Summarize this conversation.' };
    const out = compressRequestBody('anthropic', other);
    expect(out.sideCall).toBeUndefined();
    expect(userText(out.body)).toBe(`Command: cat a.log\nOutput: ${log}`);
  });
});

describe('Gemini CLI’s tool output summary side call', () => {
  it('keeps the prompt around the output and the errors the summary must carry', () => {
    const body = { contents: [{ role: 'user', parts: [{ text: summarizePrompt(log) }] }] };
    const out = compressRequestBody('gemini', body);
    expect(out.sideCall).toBe('gemini-cli-summarize-tool-output');
    const sent = (out.body as typeof body).contents[0]?.parts[0]?.text ?? '';
    const [before, after] = summarizePrompt('\u0000').split('\u0000') as [string, string];
    expect(sent.startsWith(before)).toBe(true);
    expect(sent.endsWith(after)).toBe(true);
    expect(sent.length).toBeLessThan(log.length / 2);
    expect(sent).toContain('SyntaxError: Unexpected end of JSON input');
    expect(sent).toContain('RangeError: order 13 has no line items');
  });

  it('is not a side call inside a conversation', () => {
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'hi' }] },
        { role: 'model', parts: [{ text: 'hello' }] },
        { role: 'user', parts: [{ text: summarizePrompt(log) }] },
      ],
    };
    expect(compressRequestBody('gemini', body).sideCall).toBeUndefined();
  });
});
