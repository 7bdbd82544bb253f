// Starts the live stats TUI on the terminal: alternate screen, rows from the store, new rows from the
// running proxies and the database, and a clean exit on `q`.

import { render } from 'ink';
import { LiveFeed } from '../stats/live.js';
import type { StatsFilter } from '../store/filter.js';
import type { StatsStore } from '../store/types.js';
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
  const initialRows = await store.rows(filter);
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
