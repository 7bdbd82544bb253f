// What the MCP server's tools did, as stats rows: each call is one row tagged `mcp` (its agent and its
// provider), so `headroom stats` counts what an agent saved or read back through the tools beside what
// went through the proxy. Rows go to the same stats store the proxy writes to.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NewRequestRow, StatsStore } from '../store/types.js';

/** The tag MCP rows carry as their agent and provider: `headroom stats --agent mcp` lists them. */
export const MCP_TAG = 'mcp';

/** What one tool call did, in the row's terms. */
export interface ToolCallFigures {
  tool: string;
  /** False when the call was answered with a tool error. */
  ok: boolean;
  tokensBefore?: number;
  tokensAfter?: number;
  transform?: string;
  retrievedBytes?: number;
}

/** Records one row per tool call, in one session per server process, under the project it serves. */
export class McpUsage {
  readonly session = `mcp-${randomUUID().slice(0, 8)}`;
  private registered: Promise<void> | undefined;

  constructor(
    private readonly store: StatsStore,
    private readonly project: string,
  ) {}

  /** Time a tool call and record it once it is answered. */
  async timed<T>(run: () => Promise<{ result: T; figures: ToolCallFigures }>): Promise<T> {
    const ts = Date.now();
    const started = performance.now();
    const { result, figures } = await run();
    await this.record(figures, ts, performance.now() - started);
    return result;
  }

  private async record(figures: ToolCallFigures, ts: number, ms: number): Promise<void> {
    // A store that cannot register the session still gets the rows: stats never fail a tool call.
    this.registered ??= this.store
      .upsertSession({ id: this.session, agent: MCP_TAG, project: this.project, startedTs: ts })
      .catch(() => {});
    await this.registered;
    const row: NewRequestRow = {
      ts,
      provider: MCP_TAG,
      method: 'MCP',
      path: figures.tool,
      status: figures.ok ? 200 : 400,
      latencyMs: ms,
      agent: MCP_TAG,
      sessionId: this.session,
      project: this.project,
      tokensBefore: figures.tokensBefore ?? null,
      tokensAfter: figures.tokensAfter ?? null,
      transforms: figures.transform ? { [figures.transform]: 1 } : null,
      retrievals: figures.retrievedBytes === undefined ? 0 : 1,
      retrievedBytes: figures.retrievedBytes ?? 0,
    };
    // Not awaited: the store writes in batches (and says itself when it cannot), the answer need not wait.
    void this.store.record(row);
  }

  /** Write what is queued, so a stats read sees every call answered so far. */
  flush(): Promise<void> {
    return this.store.flush();
  }
}
