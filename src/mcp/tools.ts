// The four tools the MCP server offers, for agents that do not send their traffic through the proxy:
// compress a text, read a file compressed, get an original back, see what was saved. They share the
// proxy's engine settings, its originals store and its retrieve function, so an id from either resolves
// in both. A call that cannot be answered is a tool error with one line saying why, never a crash.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Engine } from '../compress/engine.js';
import type { Kind } from '../compress/types.js';
import { answerRetrieveCall } from '../retrieve/read.js';
import { RETRIEVE_TOOL_NAME } from '../retrieve/tool.js';
import { parseDuration } from '../stats/duration.js';
import { reportJson } from '../stats/export.js';
import { reportOf } from '../stats/report.js';
import type { OriginalStore, StatsStore } from '../store/types.js';
import { ReadRefused, type ReadScope, readNumbered } from './read-file.js';
import type { McpUsage, ToolCallFigures } from './usage.js';

/** What the tools work with: the composition root's parts, and what the server serves. */
export interface McpParts {
  engine(): Promise<Engine>;
  originals(): Promise<OriginalStore>;
  stats(options?: { readOnly?: boolean }): Promise<StatsStore>;
  usage: McpUsage;
  scope: ReadScope;
}

/** A call the tool answers with an error: the reason is the one line the model reads. */
export class ToolRefused extends Error {
  override name = 'ToolRefused';
}

const KINDS = ['auto', 'json', 'logs', 'search', 'diff', 'html', 'text', 'code'] as const;

const text = (value: string) => ({ type: 'text' as const, text: value });
const refusal = (reason: string): CallToolResult => ({
  isError: true,
  content: [text(`headroom: ${reason}`)],
});

const figuresLine = (before: number, after: number, transform: string | undefined) =>
  transform
    ? `[headroom: ${transform} transform, ${before} → ${after} tokens]`
    : `[headroom: passed whole, ${before} tokens]`;

/** Keep the originals a result's markers name; text pointing at an original that was not kept is refused. */
async function keep(parts: McpParts, originals: { id: string; text: string }[]): Promise<void> {
  if (originals.length === 0) return;
  const store = await parts.originals();
  if (!store.persistent || !(await store.putMany(originals))) {
    throw new ToolRefused(`cannot keep the original in ${store.location} (is the disk full?)`);
  }
}

/** Run one call: answer it, turn a refusal into a tool error, and record the call either way. */
function answering<A>(
  parts: McpParts,
  tool: string,
  answer: (args: A) => Promise<{ result: CallToolResult; figures?: Omit<ToolCallFigures, 'tool' | 'ok'> }>,
): (args: A) => Promise<CallToolResult> {
  return (args) =>
    parts.usage.timed(async () => {
      try {
        const { result, figures } = await answer(args);
        return { result, figures: { tool, ok: !result.isError, ...figures } };
      } catch (error) {
        if (!(error instanceof ToolRefused || error instanceof ReadRefused)) throw error;
        return { result: refusal(error.message), figures: { tool, ok: false } };
      }
    });
}

/** Register the four tools on `server`. */
export function registerTools(server: McpServer, parts: McpParts): void {
  server.registerTool(
    'headroom_compress',
    {
      title: 'Compress text',
      description:
        'Shorten a long text before you read it: a command output, a log, JSON, search results, a diff, HTML. ' +
        'Returns the kept content ending with a [headroom: ...; headroom_retrieve id=hr_...] marker naming what ' +
        'was left out, then a line with the tokens before and after. Pass query (what you are looking for) so ' +
        'the matching lines and items are kept first. Call headroom_retrieve with the id for the original.',
      inputSchema: {
        content: z.string().min(1, 'content is empty: pass the text to compress'),
        query: z.string().optional(),
        kind: z.enum(KINDS).optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    answering(parts, 'headroom_compress', async ({ content, query, kind }) => {
      const engine = await parts.engine();
      const result = engine.compressText(content, { query, kind: kind as Kind | 'auto' | undefined });
      if (result.originalId) await keep(parts, [{ id: result.originalId, text: content }]);
      return {
        result: {
          content: [
            text(result.text),
            text(figuresLine(result.tokensBefore, result.tokensAfter, result.transform)),
          ],
          structuredContent: {
            kind: result.kind,
            transform: result.transform ?? null,
            tokensBefore: result.tokensBefore,
            tokensAfter: result.tokensAfter,
            originalId: result.originalId ?? null,
          },
        },
        figures: {
          tokensBefore: result.tokensBefore,
          tokensAfter: result.tokensAfter,
          transform: result.transform,
        },
      };
    }),
  );

  server.registerTool(
    'headroom_read',
    {
      title: 'Read a file compressed',
      description:
        'Read a file of the project with line numbers, large files compressed: source code as an outline of ' +
        'its imports, types and signatures with the bodies that match query, logs and data as their important ' +
        'parts. What was left out is named by a [headroom: ...; headroom_retrieve id=hr_...] marker. Use it ' +
        'instead of reading a large file whole; use from/to (1-based line numbers) for a part of it. Small ' +
        'and text files come back whole. Paths are relative to the project root.',
      inputSchema: {
        path: z.string().min(1, 'path is empty: name the file to read'),
        query: z.string().optional(),
        from: z.number().int().positive().optional(),
        to: z.number().int().positive().optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    answering(parts, 'headroom_read', async ({ path, query, from, to }) => {
      const file = await readNumbered(path, parts.scope, { from, to });
      const engine = await parts.engine();
      // Read as a generic file-read tool's output, so the engine decides it as every agent's file reads.
      const output = {
        text: file.text,
        callId: undefined,
        toolName: 'read_file',
        toolArgs: JSON.stringify({ path: file.path }),
        userText: query ?? '',
      };
      const result = engine.compressOutputs([output]);
      await keep(parts, result.originals);
      const block = result.stats.blocks[0];
      const body = result.texts[0] ?? file.text;
      const head = `[headroom_read: ${file.path}, lines ${file.first}-${file.last} of ${file.totalLines}]`;
      return {
        result: {
          content: [
            text(head),
            text(body),
            text(figuresLine(block?.tokensBefore ?? 0, block?.tokensAfter ?? 0, block?.transform)),
          ],
        },
        figures: {
          tokensBefore: block?.tokensBefore,
          tokensAfter: block?.tokensAfter,
          transform: block?.transform,
        },
      };
    }),
  );

  server.registerTool(
    RETRIEVE_TOOL_NAME,
    {
      title: 'Get an original back',
      description:
        'Get back the original of content headroom shortened, by the hr_ id in its [headroom: ...] marker ' +
        '(from headroom_compress, headroom_read or the headroom proxy). Call it when the shortened text lacks ' +
        'what you need. With query: only the lines or JSON items containing any of its words. A long original ' +
        'comes in pages: pass the offset the answer names for the next one.',
      inputSchema: {
        id: z
          .string()
          .regex(/^hr_[0-9a-f]{12}$/, 'id must be hr_ followed by 12 hex digits, as in the marker'),
        query: z.string().optional(),
        offset: z.number().int().nonnegative().optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    answering(parts, RETRIEVE_TOOL_NAME, async ({ id, query, offset }) => {
      const { content, retrieval } = await answerRetrieveCall({ id, query, offset }, await parts.originals());
      if (!retrieval.found) {
        throw new ToolRefused(
          `unknown id ${id}: expired or never stored; do not retry it, use the shortened text`,
        );
      }
      return { result: { content: [text(content)] }, figures: { retrievedBytes: retrieval.bytes } };
    }),
  );

  server.registerTool(
    'headroom_stats',
    {
      title: 'Tokens saved',
      description:
        'What headroom saved: requests, tokens before and after compression, money saved, retrievals, for the ' +
        'window asked (since: a duration back from now such as 30m, 24h or 7d; all time when absent) and per ' +
        'session, as JSON ' +
        '(the document `headroom stats --json` prints). Counts the proxy and these tools alike.',
      inputSchema: {
        since: z.string().optional(),
        agent: z.string().optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    answering(parts, 'headroom_stats', async ({ since, agent }) => {
      await parts.usage.flush();
      const store = await parts.stats({ readOnly: true });
      const now = Date.now();
      let windowMs: number | undefined;
      try {
        windowMs = since === undefined ? undefined : parseDuration(since);
      } catch (error) {
        throw new ToolRefused((error as Error).message);
      }
      const filter = {
        ...(windowMs === undefined ? {} : { since: now - windowMs }),
        ...(agent === undefined ? {} : { agent }),
      };
      const report = await reportOf(store, filter, now);
      return { result: { content: [text(JSON.stringify(reportJson(report), null, 2))] } };
    }),
  );
}
