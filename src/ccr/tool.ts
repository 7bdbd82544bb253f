// The `headroom_retrieve` tool the model calls to get back what compression left out: its definition in
// each wire shape, and the pure request edits the proxy makes to offer it.

import { isObject, type WireFormat, type WireObject } from '../providers/types.js';
import { MARKER_PATTERN } from '../compress/marker.js';

export const RETRIEVE_TOOL_NAME = 'headroom_retrieve';

// Kept short on purpose: this text rides along in every request that has tools (README gives its cost).
const DESCRIPTION =
  'Get back the original of content headroom shortened, by the hr_ id in its [headroom: ...] marker. ' +
  'With query: only the lines or JSON items containing any of its words.';

const INPUT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    query: { type: 'string' },
    offset: { type: 'integer', description: 'Character offset to continue a long original from' },
  },
  required: ['id'],
} as const;

// Gemini's `parameters` take the OpenAPI subset with upper-case types, which every Gemini endpoint accepts.
const GEMINI_PARAMETERS = {
  type: 'OBJECT',
  properties: {
    id: { type: 'STRING' },
    query: { type: 'STRING' },
    offset: { type: 'INTEGER', description: INPUT_SCHEMA.properties.offset.description },
  },
  required: ['id'],
} as const;

/** Arguments the model passes to `headroom_retrieve`. */
export interface RetrieveToolInput {
  id: string;
  query?: string;
  offset?: number;
}

/** The tool definition as the given API expects it in `tools`. */
export function retrieveToolDefinition(format: WireFormat): WireObject {
  switch (format) {
    case 'anthropic':
      return { name: RETRIEVE_TOOL_NAME, description: DESCRIPTION, input_schema: INPUT_SCHEMA };
    case 'openai-chat':
      return {
        type: 'function',
        function: { name: RETRIEVE_TOOL_NAME, description: DESCRIPTION, parameters: INPUT_SCHEMA },
      };
    case 'openai-responses':
      // Optional arguments are incompatible with strict mode, so say so instead of letting the API guess.
      return {
        type: 'function',
        name: RETRIEVE_TOOL_NAME,
        description: DESCRIPTION,
        parameters: INPUT_SCHEMA,
        strict: false,
      };
    case 'gemini':
      // One entry of a `tools[].functionDeclarations` array.
      return { name: RETRIEVE_TOOL_NAME, description: DESCRIPTION, parameters: GEMINI_PARAMETERS };
  }
}

/** The name a tool entry declares, whichever shape it has. */
function toolName(tool: unknown): string | undefined {
  if (!isObject(tool)) return undefined;
  if (typeof tool.name === 'string') return tool.name;
  return isObject(tool.function) && typeof tool.function.name === 'string' ? tool.function.name : undefined;
}

/** The function declarations of a Gemini tools entry, or undefined for a built-in tool (search, code...). */
function declarations(tool: unknown): unknown[] | undefined {
  return isObject(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : undefined;
}

/** True when the request already offers `headroom_retrieve`. */
export function hasRetrieveTool(body: WireObject): boolean {
  return (
    Array.isArray(body.tools) &&
    body.tools.some(
      (tool) =>
        toolName(tool) === RETRIEVE_TOOL_NAME ||
        (declarations(tool)?.some((d) => toolName(d) === RETRIEVE_TOOL_NAME) ?? false),
    )
  );
}

/**
 * Gemini: appended last to the last `functionDeclarations` array, or as the only tool when there are none.
 * A request with only built-in tools (Google Search, URL context) is left alone: some models refuse
 * function declarations beside them.
 */
function withGeminiRetrieveTool(body: WireObject, tools: readonly unknown[]): WireObject {
  const declaration = retrieveToolDefinition('gemini');
  if (tools.length === 0) return { ...body, tools: [{ functionDeclarations: [declaration] }] };
  const at = tools.findLastIndex((tool) => declarations(tool) !== undefined);
  if (at === -1) return body;
  const entry = tools[at] as WireObject;
  const extended = { ...entry, functionDeclarations: [...(declarations(entry) ?? []), declaration] };
  return { ...body, tools: tools.map((tool, i) => (i === at ? extended : tool)) };
}

const MARKER_HINT = 'headroom_retrieve id=hr_';

function containsMarker(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(MARKER_HINT) && MARKER_PATTERN.test(value);
  if (Array.isArray(value)) return value.some(containsMarker);
  if (isObject(value)) return Object.values(value).some(containsMarker);
  return false;
}

/** True when any message, input item or system text of the request carries a headroom marker. */
export function requestHasMarkers(body: WireObject): boolean {
  // Tool definitions are skipped: ours describes the marker and would always match.
  return Object.entries(body).some(([key, value]) => key !== 'tools' && containsMarker(value));
}

/**
 * When the proxy offers `headroom_retrieve`: whenever compression is on and the request either already
 * has a `tools` array or carries a marker. Deciding on `tools` rather than on markers alone means the
 * tool is there from a conversation's first request, so the tools array (the head of the provider's
 * cached prefix) never changes between turns; sub-agents and side requests that carry markers get it too.
 */
export function shouldOfferRetrieveTool(body: WireObject, compressionEnabled: boolean): boolean {
  if (!compressionEnabled) return false;
  return Array.isArray(body.tools) || requestHasMarkers(body);
}

/**
 * A copy of `body` with `headroom_retrieve` appended last in `tools` (created when absent). Unchanged
 * when the tool is already there or `tools` has a shape headroom does not know. `tool_choice` is never
 * touched: the tool is never forced, and with `none` it is listed but cannot be called, which keeps the
 * tools array identical across turns.
 */
export function withRetrieveTool(body: WireObject, format: WireFormat): WireObject {
  if (body.tools !== undefined && !Array.isArray(body.tools)) return body;
  if (hasRetrieveTool(body)) return body;
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (format === 'gemini') return withGeminiRetrieveTool(body, tools);
  return { ...body, tools: [...tools, retrieveToolDefinition(format)] };
}
