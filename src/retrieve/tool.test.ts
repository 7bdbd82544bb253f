// The headroom_retrieve tool: its cost in every wire shape, where it is appended, and when it is offered.

import { describe, expect, it } from 'vitest';
import { formatMarker, originalId } from '../compress/marker.js';
import { countTokens } from '../compress/tokens.js';
import { formatNamed } from '../formats/index.js';
import type { FormatName } from '../formats/types.js';
import type { WireObject } from '../formats/wire.js';
import {
  retrieveToolDefinition as definitionIn,
  hasRetrieveTool,
  withRetrieveTool as offer,
  RETRIEVE_TOOL_NAME,
  requestHasMarkers,
  shouldOfferRetrieveTool,
} from './tool.js';

/** A request as Codex 0.169 sends it with its default model: no `tools`, every tool in the first input item. */
function codexCodeMode(more: WireObject[] = []): WireObject {
  return {
    model: 'gpt-6.1-sol',
    stream: true,
    input: [
      {
        type: 'additional_tools',
        id: 'at_01',
        role: 'developer',
        tools: [
          {
            type: 'namespace',
            name: 'functions',
            description: '',
            tools: [{ type: 'custom', name: 'exec', description: 'Run JavaScript code' }],
          },
          ...more,
        ],
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix the build' }] },
    ],
    tool_choice: 'auto',
  };
}

const retrieveToolDefinition = (format: FormatName) => definitionIn(formatNamed(format));
const withRetrieveTool = (body: WireObject, format: FormatName) => offer(formatNamed(format), body);

describe('the headroom_retrieve tool', () => {
  const marker = formatMarker('1,940 of 2,000 lines omitted', originalId('x'));
  const anthropicBody = {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    tools: [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: {} } }],
    messages: [
      { role: 'user', content: 'why did the job fail?' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'job.log' } }],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: `INFO start\n${marker}` }],
      },
    ],
  };
  const chatBody = {
    model: 'gpt-4.1',
    messages: [{ role: 'tool', tool_call_id: 'call_1', content: `x\n${marker}` }],
    tool_choice: 'none',
  };
  const responsesBody = {
    model: 'gpt-5-codex',
    tools: [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: {} } }],
    input: [{ type: 'function_call_output', call_id: 'call_1', output: 'no markers here' }],
  };

  it('costs under 110 tokens in every wire shape', async () => {
    for (const format of ['anthropic', 'openai-chat', 'openai-responses'] as const) {
      expect(countTokens(JSON.stringify(retrieveToolDefinition(format)), 'o200k_base')).toBeLessThan(110);
    }
  });

  it('is appended last, once, in the shape of each API', async () => {
    const anthropic = withRetrieveTool(anthropicBody, 'anthropic');
    expect(anthropic.tools).toEqual([...anthropicBody.tools, retrieveToolDefinition('anthropic')]);
    expect((anthropic.tools as Array<{ name: string }>).at(-1)?.name).toBe(RETRIEVE_TOOL_NAME);
    expect(withRetrieveTool(anthropic, 'anthropic')).toBe(anthropic);
    expect(anthropicBody.tools).toHaveLength(1);

    const responses = withRetrieveTool(responsesBody, 'openai-responses');
    expect(responses.tools).toEqual([
      ...responsesBody.tools,
      expect.objectContaining({ type: 'function', name: RETRIEVE_TOOL_NAME, strict: false }),
    ]);
    expect(hasRetrieveTool(responses)).toBe(true);
    expect(hasRetrieveTool(responsesBody)).toBe(false);
  });

  it('creates tools when absent and leaves tool_choice as the client set it', async () => {
    const chat = withRetrieveTool(chatBody, 'openai-chat');
    expect(chat.tools).toEqual([
      { type: 'function', function: expect.objectContaining({ name: RETRIEVE_TOOL_NAME }) },
    ]);
    expect(chat.tool_choice).toBe('none');
    const anthropicNone = withRetrieveTool({ ...anthropicBody, tool_choice: { type: 'none' } }, 'anthropic');
    expect(anthropicNone.tool_choice).toEqual({ type: 'none' });
  });

  it('produces the same bytes on every call, so the cached prefix stays stable', async () => {
    const first = JSON.stringify(withRetrieveTool(anthropicBody, 'anthropic'));
    const second = JSON.stringify(withRetrieveTool(structuredClone(anthropicBody), 'anthropic'));
    expect(second).toBe(first);
  });

  it('leaves a tools field of unknown shape alone', async () => {
    const odd = { messages: [], tools: { not: 'an array' } };
    expect(withRetrieveTool(odd, 'anthropic')).toBe(odd);
  });

  it('sees markers in messages and input but not in tool definitions', async () => {
    expect(requestHasMarkers(anthropicBody)).toBe(true);
    expect(requestHasMarkers(chatBody)).toBe(true);
    expect(requestHasMarkers(responsesBody)).toBe(false);
    expect(requestHasMarkers(withRetrieveTool(responsesBody, 'openai-responses'))).toBe(false);
  });

  it('is offered when compression is on and the request has tools or markers', async () => {
    expect(shouldOfferRetrieveTool(responsesBody, true)).toBe(true);
    expect(shouldOfferRetrieveTool(chatBody, true)).toBe(true);
    expect(shouldOfferRetrieveTool({ messages: [{ role: 'user', content: 'hi' }] }, true)).toBe(false);
    expect(shouldOfferRetrieveTool(anthropicBody, false)).toBe(false);
  });

  it("is listed beside the agent's own tools in Codex's additional_tools item, from the first request", async () => {
    const body = codexCodeMode();
    expect(shouldOfferRetrieveTool(body, true)).toBe(true);
    const offered = withRetrieveTool(body, 'openai-responses');
    expect(offered.tools).toBeUndefined();
    const [item, ...rest] = offered.input as WireObject[];
    expect((item!.tools as WireObject[]).map((tool) => tool.name)).toEqual(['functions', RETRIEVE_TOOL_NAME]);
    expect({ ...item, tools: undefined }).toEqual({ ...(body.input as WireObject[])[0], tools: undefined });
    expect(rest).toEqual((body.input as WireObject[]).slice(1));
    expect(hasRetrieveTool(offered)).toBe(true);
    // The same body gets the same bytes: the item heads the cached prefix.
    expect(JSON.stringify(withRetrieveTool(codexCodeMode(), 'openai-responses'))).toBe(
      JSON.stringify(offered),
    );
    // Versions that send an empty tools list beside the item get it in the item too.
    const empty = withRetrieveTool({ ...codexCodeMode(), tools: [] }, 'openai-responses');
    expect(empty.tools).toEqual([]);
    expect(hasRetrieveTool({ ...empty, tools: undefined })).toBe(true);
  });

  it("is not offered a second time to an agent that has it through headroom's MCP server", async () => {
    const mcpTool = (name: string) => ({ name, input_schema: { type: 'object', properties: {} } });
    // Claude Code and Codex, Gemini CLI on a name clash, opencode, Gemini CLI otherwise.
    for (const name of [
      'mcp__headroom__headroom_retrieve',
      'headroom__headroom_retrieve',
      'headroom_headroom_retrieve',
      'headroom_retrieve',
    ]) {
      const body = { ...anthropicBody, tools: [...anthropicBody.tools, mcpTool(name)] };
      expect(withRetrieveTool(body, 'anthropic')).toBe(body);
    }
    // Codex groups an MCP server's tools in a Responses namespace.
    const codex = {
      ...responsesBody,
      tools: [
        ...responsesBody.tools,
        {
          type: 'namespace',
          name: 'mcp__headroom',
          tools: [{ type: 'function', name: 'headroom_retrieve', parameters: { type: 'object' } }],
        },
      ],
    };
    expect(withRetrieveTool(codex, 'openai-responses')).toBe(codex);
    // Codex 0.169's default model lists every tool in an additional_tools input item, MCP namespaces too.
    const codeMode = codexCodeMode([
      {
        type: 'namespace',
        name: 'mcp__headroom',
        tools: [{ type: 'function', name: 'headroom_retrieve', parameters: { type: 'object' } }],
      },
    ]);
    expect(withRetrieveTool(codeMode, 'openai-responses')).toBe(codeMode);
    // Another server's retrieve tool is not headroom's.
    const other = { ...anthropicBody, tools: [...anthropicBody.tools, mcpTool('mcp__docs__retrieve')] };
    expect(withRetrieveTool(other, 'anthropic').tools).toHaveLength(3);
  });
});
