// The columns and summary lines of the stats views, shared by the live TUI and the plain-text table so
// both show the same figures under the same names.

import {
  formatCount,
  formatLatency,
  formatMoney,
  formatShare,
  formatStatus,
  formatTime,
  formatTransforms,
  UNKNOWN,
} from './format.js';
import { PRICE_TABLE } from './prices.js';
import type { GroupTotals, SessionSummary, Totals, TransformCount, Turn } from './report.js';
import type { Column } from './table.js';

export interface SummaryField {
  label: string;
  value: string;
}

/** The window totals as labelled figures, in reading order. */
export function summaryFields(t: Totals): SummaryField[] {
  const money =
    t.unpriced > 0 && t.moneySaved !== undefined
      ? `${formatMoney(t.moneySaved)} (${t.unpriced} unpriced)`
      : formatMoney(t.moneySaved);
  return [
    { label: 'requests', value: t.errors > 0 ? `${t.requests} (${t.errors} failed)` : String(t.requests) },
    {
      label: 'input',
      value: `${formatCount(t.tokensBefore)} → ${formatCount(t.tokensAfter)} (${formatShare(t.savedShare)} saved)`,
    },
    { label: 'output', value: formatCount(t.outputTokens) },
    { label: 'cache read', value: formatShare(t.cacheReadShare) },
    { label: 'money saved', value: money },
    { label: 'retrievals', value: String(t.retrievals) },
    ...(t.memoryCalls ? [{ label: 'memory calls', value: String(t.memoryCalls) }] : []),
    {
      label: 'history',
      value: `${t.historyRewrites} rewrite(s), ${formatCount(t.historySavedTokens)} tokens set aside`,
    },
  ];
}

/** Whose session this is: the session id when known, else a note that requests came without one. */
export function sessionLabel(id: string | null): string {
  return id ?? '(none)';
}

export function sessionColumns(now: number): Column<SessionSummary>[] {
  return [
    { title: 'AGENT', value: (s) => s.agent ?? UNKNOWN, min: 5, max: 12, priority: 9, flex: true },
    {
      title: 'PROJECT',
      value: (s) => s.project ?? UNKNOWN,
      min: 7,
      max: 24,
      priority: 8,
      flex: true,
      cut: 'start',
    },
    { title: 'STARTED', value: (s) => formatTime(s.startedTs, now), min: 8, priority: 6 },
    { title: 'TURNS', value: (s) => String(s.turns), align: 'right', min: 5, priority: 7 },
    {
      title: 'TOKENS',
      value: (s) => `${formatCount(s.totals.tokensBefore)}→${formatCount(s.totals.tokensAfter)}`,
      align: 'right',
      min: 11,
      priority: 4,
    },
    { title: 'SAVED', value: (s) => formatShare(s.totals.savedShare), align: 'right', min: 5, priority: 10 },
    { title: 'MONEY', value: (s) => formatMoney(s.totals.moneySaved), align: 'right', min: 6, priority: 5 },
    { title: 'SESSION', value: (s) => sessionLabel(s.id), min: 7, max: 14, priority: 1, flex: true },
  ];
}

export function turnColumns(now: number): Column<Turn>[] {
  return [
    { title: 'TIME', value: (t) => formatTime(t.ts, now), min: 8, priority: 9 },
    { title: 'MODEL', value: (t) => t.model ?? UNKNOWN, min: 8, max: 26, priority: 7, flex: true },
    {
      title: 'TOKENS',
      value: (t) => `${formatCount(t.tokensBefore)}→${formatCount(t.tokensAfter)}`,
      align: 'right',
      min: 11,
      priority: 8,
    },
    { title: 'SAVED', value: (t) => formatShare(t.savedShare), align: 'right', min: 5, priority: 10 },
    {
      title: 'TRANSFORMS',
      value: (t) => formatTransforms(t.transforms),
      min: 10,
      max: 28,
      priority: 5,
      flex: true,
    },
    { title: 'LATENCY', value: (t) => formatLatency(t.latencyMs), align: 'right', min: 7, priority: 4 },
    { title: 'MONEY', value: (t) => formatMoney(t.moneySaved), align: 'right', min: 6, priority: 3 },
    { title: 'STATUS', value: (t) => formatStatus(t.status, t.error), align: 'right', min: 6, priority: 6 },
  ];
}

export function groupColumns(title: string): Column<GroupTotals>[] {
  return [
    { title, value: (g) => g.key, min: 6, max: 32, priority: 9, flex: true },
    { title: 'REQUESTS', value: (g) => String(g.totals.requests), align: 'right', min: 8, priority: 8 },
    {
      title: 'TOKENS',
      value: (g) => `${formatCount(g.totals.tokensBefore)}→${formatCount(g.totals.tokensAfter)}`,
      align: 'right',
      min: 11,
      priority: 6,
    },
    { title: 'SAVED', value: (g) => formatShare(g.totals.savedShare), align: 'right', min: 5, priority: 7 },
    { title: 'COST', value: (g) => formatMoney(g.totals.cost), align: 'right', min: 6, priority: 4 },
    {
      title: 'MONEY SAVED',
      value: (g) => formatMoney(g.totals.moneySaved),
      align: 'right',
      min: 11,
      priority: 5,
    },
  ];
}

export function transformColumns(): Column<TransformCount>[] {
  return [
    { title: 'TRANSFORM', value: (t) => t.name, min: 9, max: 20, priority: 3 },
    { title: 'BLOCKS', value: (t) => String(t.blocks), align: 'right', min: 6, priority: 2 },
    { title: 'REQUESTS', value: (t) => String(t.requests), align: 'right', min: 8, priority: 1 },
  ];
}

/** The note every money figure carries: where the prices come from and how current they are. */
export const PRICES_NOTE = `prices as of ${PRICE_TABLE.asOf}; "${UNKNOWN}" = model without a known price`;
