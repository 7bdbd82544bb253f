// Parses the `--since` window of `headroom stats`: a duration back from now such as 30m, 24h, 7d or 1h30m.
// Bad input is a one-line error naming the accepted forms.

import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** A duration such as `30m`, `24h`, `7d`, `2w` or `1h30m`, in milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== trimmed) {
    throw new UsageError(`cannot read duration "${text}" (use e.g. 30m, 24h, 7d, 2w or 1h30m)`);
  }
  return parts.reduce((ms, [, amount, unit]) => ms + Number(amount) * (UNIT_MS[unit ?? ''] ?? 0), 0);
}
