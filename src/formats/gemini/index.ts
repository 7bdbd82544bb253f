// Gemini generateContent (`POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent`, as SSE
// with `?alt=sse` or as one JSON array of chunks).

import { defineFormat } from '../define.js';
import { MINUTE_MS, modelTextsOf, openingMessages } from '../history.js';
import type { ToolDefinition, WireFormat } from '../types.js';
import { isObject, type WireObject } from '../wire.js';
import { geminiOutput } from './output.js';
import { recognises, toolOutputs } from './request.js';
import {
  continueWith,
  errorBody,
  geminiCalls,
  joinGeminiChunks,
  merge,
  usageFromEvent,
  usageFromResponse,
} from './response.js';
import { geminiCliSideCall } from './side-calls.js';
import { GeminiRetrieveStream } from './stream.js';

/** Gemini's `parameters` take the OpenAPI subset with upper-case types, which every Gemini endpoint accepts. */
function openApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openApiSchema);
  if (!isObject(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === 'type' && typeof value === 'string' ? value.toUpperCase() : openApiSchema(value),
    ]),
  );
}

/** The function declarations of a tools entry, or undefined for a built-in tool (search, code...). */
function declarations(tool: unknown): unknown[] | undefined {
  return isObject(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : undefined;
}

/** One entry of a `tools[].functionDeclarations` array. */
function toolEntry(tool: ToolDefinition): WireObject {
  return { name: tool.name, description: tool.description, parameters: openApiSchema(tool.inputSchema) };
}

/**
 * Appended last to the last `functionDeclarations` array, or as the only tool when there are none.
 * A request with only built-in tools (Google Search, URL context) is left alone: some models refuse
 * function declarations beside them.
 */
function withTool(body: WireObject, tool: ToolDefinition): WireObject {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const declaration = toolEntry(tool);
  if (tools.length === 0) return { ...body, tools: [{ functionDeclarations: [declaration] }] };
  const at = tools.findLastIndex((entry) => declarations(entry) !== undefined);
  if (at === -1) return body;
  const entry = tools[at] as WireObject;
  const extended = { ...entry, functionDeclarations: [...(declarations(entry) ?? []), declaration] };
  return { ...body, tools: tools.map((t, i) => (i === at ? extended : t)) };
}

const byModel = (content: WireObject) => content.role === 'model';

export const gemini: WireFormat = defineFormat({
  name: 'gemini',
  provider: 'gemini',
  messagesKey: 'contents',
  servesPath: (path) => /:(stream)?generateContent$/i.test(path),
  recognises,
  toolOutputs,
  turns: {
    isUser: (content) => content.role === 'user',
    contentKey: 'parts',
    partText: (part) => (typeof part.text === 'string' && !part.thought ? part.text : undefined),
    isToolPart: (part) => isObject(part.functionResponse),
    textPart: (text) => ({ text }),
  },
  sideCall: geminiCliSideCall,
  modelTexts: (contents) => modelTextsOf(contents, byModel),
  conversationOpening: (body) => [
    body.systemInstruction,
    body.tools,
    openingMessages(body.contents, byModel),
  ],
  // Implicit caching states no lifetime, only that requests close together hit: taken as OpenAI's bound.
  cacheLifetimeMs: () => 10 * MINUTE_MS,
  toolEntry,
  withTool,
  toolCallsAllowed: (body) => {
    const config = isObject(body.toolConfig) ? body.toolConfig.functionCallingConfig : undefined;
    return !(isObject(config) && config.mode === 'NONE');
  },
  ...geminiCalls,
  responseOf: (parsed) =>
    Array.isArray(parsed) ? joinGeminiChunks(parsed) : isObject(parsed) ? parsed : undefined,
  usageOf: (response) => response.usageMetadata,
  continueWith,
  merge,
  createStream: (answered) => new GeminiRetrieveStream(answered),
  usageFromResponse,
  usageFromEvent,
  ...geminiOutput,
  errorBody,
});
