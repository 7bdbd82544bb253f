// A session named by the start of its id, as the stats view shows it (`8f2c1a`): the one id it begins, or a
// one-line reason when it begins none or several.

import { UsageError } from '../errors.js';

/** The one id of `ids` that `prefix` is, or begins; a UsageError naming the candidates otherwise. */
export function sessionByPrefix(prefix: string, ids: Iterable<string>): string {
  const known = new Set(ids);
  if (known.has(prefix)) return prefix;
  const matches = [...known].filter((id) => id.startsWith(prefix)).sort();
  if (matches.length === 1) return matches[0] as string;
  if (matches.length === 0) {
    throw new UsageError(`no recorded session starts with "${prefix}" (headroom stats lists the sessions)`);
  }
  const shown = matches.slice(0, 5).join(', ');
  const more = matches.length > 5 ? `, … +${matches.length - 5} more` : '';
  throw new UsageError(
    `"${prefix}" begins ${matches.length} sessions (${shown}${more}): give more of the id`,
  );
}
