// `headroom proxy --log-file`: every request's stats row, once written, as one JSON line appended to a file
// (0600), for tools that follow a proxy without asking it. Rows hold no keys or message text.

import { createWriteStream } from 'node:fs';
import type { StatsEvents } from '../stats/events.js';

/** Append each row `events` publishes to `file`; returns the way to stop and close it. */
export function logRequestsTo(file: string, events: StatsEvents): () => Promise<void> {
  const out = createWriteStream(file, { flags: 'a', mode: 0o600 });
  // A log that cannot be written costs its lines, never the proxy.
  out.on('error', () => {});
  const unsubscribe = events.subscribe((row) => out.write(`${JSON.stringify(row)}\n`));
  return () =>
    new Promise<void>((resolve) => {
      unsubscribe();
      out.end(() => resolve());
    });
}
