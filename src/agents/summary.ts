// The one block `headroom wrap` prints after the agent exits: what went through the proxy, what it saved,
// and where to look next. Money appears only when every saving can be priced.

import { formatCount, formatMoney, formatShare } from '../stats/format.js';
import { moneySaved } from '../stats/money.js';
import type { AgentExit } from './supervisor.js';

/** What the summary needs from the stats of one session. */
export interface SessionStats {
  requests: number;
  tokensBefore: number;
  tokensAfter: number;
  retrievals: number;
  errors: number;
  /** Per-request figures used to price the savings. */
  rows: readonly {
    model: string | null;
    tokensBefore: number | null;
    tokensAfter: number | null;
    inputTokens: number | null;
    cacheReadTokens: number | null;
    cacheWriteTokens: number | null;
  }[];
}

/** Money saved over the rows, or undefined when a row that saved tokens has no known price. */
export function sessionMoneySaved(rows: SessionStats['rows']): number | undefined {
  let total = 0;
  for (const row of rows) {
    const saved = moneySaved(row);
    if (saved === undefined) {
      if ((row.tokensBefore ?? 0) > (row.tokensAfter ?? 0)) return undefined;
      continue;
    }
    total += saved;
  }
  return total;
}

export interface SummaryInput {
  agent: string;
  sessionId: string;
  exit: AgentExit;
  stats?: SessionStats;
}

/** The lines printed to stderr when the wrapped agent has exited. */
export function summaryLines({ agent, sessionId, exit, stats }: SummaryInput): string[] {
  const lines: string[] = [];
  if (!stats) {
    lines.push(`headroom: ${agent} session ${sessionId}: stats unavailable`);
  } else if (stats.requests === 0) {
    lines.push(`headroom: ${agent} session ${sessionId}: no model requests went through headroom`);
  } else {
    const saved = stats.tokensBefore - stats.tokensAfter;
    const share = stats.tokensBefore > 0 ? saved / stats.tokensBefore : 0;
    const money = saved > 0 ? sessionMoneySaved(stats.rows) : undefined;
    const parts = [
      `${stats.requests} request${stats.requests === 1 ? '' : 's'}`,
      `${formatCount(stats.tokensBefore)} → ${formatCount(stats.tokensAfter)} tokens (${formatShare(share)} saved${
        money !== undefined && money > 0 ? `, ${formatMoney(money)}` : ''
      })`,
      `${stats.retrievals} retrieval${stats.retrievals === 1 ? '' : 's'}`,
    ];
    if (stats.errors > 0) parts.push(`${stats.errors} failed`);
    lines.push(`headroom: ${agent} session ${sessionId}: ${parts.join(', ')}`);
  }
  lines.push(`headroom: details: headroom stats --session ${sessionId}`);
  if (exit.signal === undefined && exit.code !== undefined && exit.code !== 0) {
    lines.push(
      `headroom: ${agent} exited with code ${exit.code}; \`headroom learn\` mines its session logs for what went wrong`,
    );
  }
  return lines;
}
