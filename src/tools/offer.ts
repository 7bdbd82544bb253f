// Offering a tool in a request: which tools it already declares (in any format), and the request with one
// more appended where its format lists tools.

import type { ToolDefinition, WireFormat } from '../formats/types.js';
import { isObject, type WireObject } from '../formats/wire.js';

/** The name a tool entry declares, whichever shape it has. */
function toolName(tool: unknown): string | undefined {
  if (!isObject(tool)) return undefined;
  if (typeof tool.name === 'string') return tool.name;
  return isObject(tool.function) && typeof tool.function.name === 'string' ? tool.function.name : undefined;
}

/**
 * The tool entries a request lists: its `tools`, and those of Responses `additional_tools` input items (where
 * Codex 0.169 declares every tool, sending no `tools` at all).
 */
function listedTools(body: WireObject): unknown[] {
  const listed = Array.isArray(body.tools) ? [...body.tools] : [];
  if (Array.isArray(body.input)) {
    for (const item of body.input) {
      if (isObject(item) && item.type === 'additional_tools' && Array.isArray(item.tools))
        listed.push(...item.tools);
    }
  }
  return listed;
}

/** True when the request lists tools (an empty list counts): an agent's turn rather than a side call. */
export function listsTools(body: WireObject): boolean {
  return (
    Array.isArray(body.tools) ||
    (Array.isArray(body.input) &&
      body.input.some(
        (item) => isObject(item) && item.type === 'additional_tools' && Array.isArray(item.tools),
      ))
  );
}

/** The names of the tools a request declares, in any format (Gemini's function declarations included). */
export function declaredToolNames(body: WireObject): string[] {
  return listedTools(body).flatMap((tool) => {
    const declarations =
      isObject(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : [];
    // A Responses namespace (Codex groups each MCP server's tools in one): its tools by qualified name.
    const namespace = isObject(tool) && Array.isArray(tool.tools) ? toolName(tool) : undefined;
    const grouped = namespace
      ? ((tool as WireObject).tools as unknown[])
          .map(toolName)
          .flatMap((name) => (name ? [`${namespace}__${name}`] : []))
      : [];
    return [
      ...[tool, ...declarations].map(toolName).filter((name): name is string => name !== undefined),
      ...grouped,
    ];
  });
}

/**
 * A copy of `body` with `tool` appended last in its tools (created when absent). Unchanged when a tool of
 * that name is already there or `tools` has a shape headroom does not know. `tool_choice` is never touched:
 * the tool is never forced, and with `none` it is listed but cannot be called, which keeps the tools array
 * identical across turns.
 */
export function withTool(format: WireFormat, body: WireObject, tool: ToolDefinition): WireObject {
  if (body.tools !== undefined && !Array.isArray(body.tools)) return body;
  if (declaredToolNames(body).includes(tool.name)) return body;
  return format.withTool(body, tool);
}
