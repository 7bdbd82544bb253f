// The `headroom_retrieve` tool the model calls to get back what compression left out: its definition
// (each format gives it its own shape), its arguments, and when the proxy offers it.

import { MARKER_PATTERN } from '../compress/marker.js';
import type { AnsweredTools, RetrieveToolInput, ToolDefinition, WireFormat } from '../formats/types.js';
import { isObject, type WireObject } from '../formats/wire.js';
import { declaredToolNames, listsTools, withTool } from '../tools/offer.js';

export const RETRIEVE_TOOL_NAME = 'headroom_retrieve';

/** The answered tools of a request that offers only headroom_retrieve. */
export const RETRIEVE_ONLY: AnsweredTools = new Set([RETRIEVE_TOOL_NAME]);

/** The tool as every format offers it. Kept short: it rides along in every request that has tools. */
export const RETRIEVE_TOOL: ToolDefinition = {
  name: RETRIEVE_TOOL_NAME,
  description:
    'Get back the original of content headroom shortened, by the hr_ id in its [headroom: ...] marker. ' +
    'With query: only the lines or JSON items containing any of its words.',
  inputSchema: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      query: { type: 'string' },
      offset: { type: 'integer', description: 'Character offset to continue a long original from' },
    },
    required: ['id'],
  },
};

function parseArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Normalise a call's arguments; a malformed one gets id '' and is answered "not a headroom id". */
export function retrieveInput(value: unknown): RetrieveToolInput {
  const args = parseArguments(value);
  if (!isObject(args)) return { id: '' };
  const input: RetrieveToolInput = { id: typeof args.id === 'string' ? args.id.trim() : '' };
  if (typeof args.query === 'string' && args.query.trim()) input.query = args.query;
  if (typeof args.offset === 'number' && Number.isFinite(args.offset)) input.offset = args.offset;
  return input;
}

/** The `headroom_retrieve` tool in the shape `format` lists it in `tools`. */
export function retrieveToolDefinition(format: WireFormat): WireObject {
  return format.toolEntry(RETRIEVE_TOOL);
}

/**
 * A copy of `body` with `headroom_retrieve` appended last in its tools (see `withTool`); `body` itself when
 * the agent already has it, the proxy's or through headroom's MCP server under any name (`hasRetrieveTool`).
 */
export function withRetrieveTool(format: WireFormat, body: WireObject): WireObject {
  return hasRetrieveTool(body) ? body : withTool(format, body, RETRIEVE_TOOL);
}

/**
 * True for `headroom_retrieve` under any name an agent gives a tool of headroom's MCP server: the server's
 * name and a separator before it (`mcp__headroom__headroom_retrieve` in Claude Code and Codex,
 * `headroom__headroom_retrieve` in Gemini CLI when names clash, `headroom_headroom_retrieve` in opencode),
 * or none (Gemini CLI otherwise).
 */
export function isRetrieveToolName(name: string): boolean {
  return name === RETRIEVE_TOOL_NAME || /[-_.:]headroom_retrieve$/.test(name);
}

/**
 * True when the request already offers `headroom_retrieve`: the proxy's own, or the agent's through
 * headroom's MCP server, which reads the same store. Either way the proxy adds no second one.
 */
export function hasRetrieveTool(body: WireObject): boolean {
  return declaredToolNames(body).some(isRetrieveToolName);
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
 * lists tools (a `tools` array, or Codex's `additional_tools` item) or carries a marker. Deciding on tools rather than on markers alone means the
 * tool is there from a conversation's first request, so the tools array (the head of the provider's
 * cached prefix) never changes between turns; sub-agents and side requests that carry markers get it too.
 */
export function shouldOfferRetrieveTool(body: WireObject, compressionEnabled: boolean): boolean {
  if (!compressionEnabled) return false;
  return listsTools(body) || requestHasMarkers(body);
}
