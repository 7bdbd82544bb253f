// The one block `headroom wrap` prints after the agent exits: what went through the proxy, what it saved,
// and where to look next. Money appears only when every saving can be priced.

import { instructionsFileOf } from '../learn/index.js';
import { formatCount, formatMoney, formatShare } from '../stats/format.js';
import type { Totals } from '../stats/report.js';
import type { AgentExit } from './supervisor.js';

/**
 * What the summary needs from the session's totals. The money figures may be absent (a proxy that does not
 * report them); money is then left out.
 */
export type SessionStats = Pick<
  Totals,
  'requests' | 'tokensBefore' | 'tokensAfter' | 'retrievals' | 'errors'
> &
  Partial<Pick<Totals, 'moneySaved' | 'unpricedSavings'>>;

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
    // Money only when every saving has a price: a partial sum would understate it.
    const money = saved > 0 && stats.unpricedSavings === 0 ? stats.moneySaved : undefined;
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
  const instructions = instructionsFileOf(agent);
  if (exit.signal === undefined && exit.code !== undefined && exit.code !== 0 && instructions) {
    lines.push(
      `headroom: ${agent} exited with code ${exit.code}; \`headroom learn --agent ${agent}\` turns what went wrong in its session logs into rules for ${instructions}`,
    );
  }
  return lines;
}
