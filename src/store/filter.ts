// Which requests a stats view covers, as one predicate: the stores narrow with it, the live feed and the
// TUI's filter box apply it to rows in memory, and both agree on what matches.

import type { RequestRow, SessionInfo, StatsFilter } from './types.js';

export type { StatsFilter } from './types.js';

function contains(value: string | null | undefined, needle: string): boolean {
  return value?.toLowerCase().includes(needle) ?? false;
}

const needleOf = (filter: StatsFilter) => filter.text?.trim().toLowerCase();

/** True when a request falls inside the filter. */
export function matchesFilter(row: RequestRow, filter: StatsFilter): boolean {
  if (filter.since !== undefined && row.ts < filter.since) return false;
  if (filter.agent !== undefined && row.agent !== filter.agent) return false;
  if (filter.session !== undefined && row.sessionId !== filter.session) return false;
  if (filter.project !== undefined && row.project !== filter.project) return false;
  const text = needleOf(filter);
  if (text) return contains(row.agent, text) || contains(row.project, text) || contains(row.model, text);
  return true;
}

export function filterRows(rows: readonly RequestRow[], filter: StatsFilter): RequestRow[] {
  return rows.filter((row) => matchesFilter(row, filter));
}

/** True when a registered session falls inside the filter (its start counts as its time). */
export function matchesSession(session: SessionInfo, filter: StatsFilter): boolean {
  if (filter.since !== undefined && (session.startedTs ?? 0) < filter.since) return false;
  if (filter.agent !== undefined && session.agent !== filter.agent) return false;
  if (filter.session !== undefined && session.id !== filter.session) return false;
  if (filter.project !== undefined && session.project !== filter.project) return false;
  const text = needleOf(filter);
  if (text) return contains(session.agent, text) || contains(session.project, text);
  return true;
}
