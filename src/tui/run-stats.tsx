// Starts the live stats TUI on the terminal: alternate screen, the newest rows of the window from the store,
// new rows from the running proxies and the database, and a clean exit on `q`.

import { render } from 'ink';
import { LiveFeed } from '../stats/live.js';
import type { StatsFilter } from '../store/filter.js';
import type { RequestRow, StatsStore } from '../store/types.js';
import { StatsApp } from './StatsApp.js';

export interface StatsTuiOptions {
  /** The stats store, open for reading. */
  store: StatsStore;
  /** Where running proxies announce themselves. */
  cacheDir: string;
  /** Fixed filters from the command line (agent, session, project); `since` is replaced by `windowMs`. */
  filter: StatsFilter;
  windowMs?: number;
  windowLabel: string;
  apiKey?: string;
}

/**
 * The live view holds the newest this many requests of its window: enough for every session a user works
 * through in a day or more, while its memory and the work of each key stay bounded over any history.
 */
export const LIVE_VIEW_MAX_ROWS = 20_000;

/** The newest `max` rows inside `filter`, and whether the window held more. */
export async function liveRows(
  store: StatsStore,
  filter: StatsFilter,
  max = LIVE_VIEW_MAX_ROWS,
): Promise<{ rows: RequestRow[]; capped: boolean }> {
  const rows = await store.rows(filter, { limit: max + 1 });
  return rows.length > max ? { rows: rows.slice(-max), capped: true } : { rows, capped: false };
}

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';

/** Run the TUI until the user quits. */
export async function runStatsTui(options: StatsTuiOptions): Promise<void> {
  const { store } = options;
  const since = options.windowMs === undefined ? undefined : Date.now() - options.windowMs;
  const filter = { ...options.filter, since };
  // The feed starts at the newest id seen before the first read; rows written in between may come twice
  // and the app keeps one of each.
  const afterId = await store.lastId();
  const { rows: initialRows, capped } = await liveRows(store, filter);
  const feed = new LiveFeed({
    cacheDir: options.cacheDir,
    store,
    filter: options.filter,
    apiKey: options.apiKey,
    afterId,
  });
  process.stdout.write(ENTER_ALT_SCREEN);
  try {
    const app = render(
      <StatsApp
        initialRows={initialRows}
        maxRows={LIVE_VIEW_MAX_ROWS}
        capped={capped}
        feed={feed}
        windowMs={options.windowMs}
        windowLabel={options.windowLabel}
      />,
      { exitOnCtrlC: true, patchConsole: true },
    );
    await app.waitUntilExit();
  } finally {
    feed.stop();
    process.stdout.write(LEAVE_ALT_SCREEN);
  }
}
