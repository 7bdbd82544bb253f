// How stats figures read on screen: token counts, shares, money, latency, times and transform lists.
// One set of formatters for the TUI and the plain table, so both show the same figures the same way.

/** Shown where a figure is unknown (e.g. money for a model without a price), never a false zero. */
export const UNKNOWN = '—';

export function formatCount(value: number): string {
  const abs = Math.abs(value);
  if (abs < 1000) return String(Math.round(value));
  if (abs < 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (abs < 1_000_000) return `${Math.round(value / 1000)}k`;
  if (abs < 10_000_000) return `${(value / 1_000_000).toFixed(2)}M`;
  if (abs < 1_000_000_000) return `${(value / 1_000_000).toFixed(1)}M`;
  return `${(value / 1_000_000_000).toFixed(2)}B`;
}

/** A 0..1 share as a whole percentage. */
export function formatShare(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export function formatMoney(usd: number | undefined): string {
  if (usd === undefined) return UNKNOWN;
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return '<$0.01';
  if (usd < 1000) return `$${usd.toFixed(2)}`;
  return `$${(usd / 1000).toFixed(1)}k`;
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return UNKNOWN;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

const pad2 = (v: number) => String(v).padStart(2, '0');

/** Local time: `HH:MM:SS` for today, `MM-DD HH:MM` for earlier days. */
export function formatTime(ts: number, now: number): string {
  const d = new Date(ts);
  const today = new Date(now);
  const clock = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  if (d.toDateString() === today.toDateString()) return `${clock}:${pad2(d.getSeconds())}`;
  return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clock}`;
}

/** `json×2 logs` for the transforms that fired on a request, most blocks first; `—` for none. */
export function formatTransforms(transforms: Record<string, number>): string {
  const entries = Object.entries(transforms).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (entries.length === 0) return UNKNOWN;
  return entries.map(([name, count]) => (count > 1 ? `${name}×${count}` : name)).join(' ');
}

export function formatStatus(status: number, error: string | null): string {
  if (status > 0) return String(status);
  return error ? 'err' : UNKNOWN;
}
