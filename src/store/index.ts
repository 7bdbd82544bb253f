// Opens the stores a setting names. `store` is a URL: `sqlite` keeps the embedded files in the cache dir,
// `sqlite:/abs/dir` in that directory. Callers pass their settings in; nothing here reads the config file.

import { isAbsolute } from 'node:path';
import { ConfigError } from '../errors.js';
import { STORE_DEFAULTS } from './defaults.js';
import { openSqliteOriginalStore } from './sqlite/originals.js';
import { openSqliteStatsStore, statsDbPath } from './sqlite/stats.js';
import type { OriginalStore, StatsStore } from './types.js';

export { STORE_DEFAULTS } from './defaults.js';
export type {
  NewRequestRow,
  Original,
  OriginalStore,
  OriginalStoreStats,
  RequestRow,
  RowsPage,
  SessionInfo,
  StatsStore,
} from './types.js';

/** The settings a store is opened from (a resolved `Config` has them all). */
export interface StoreSettings {
  /** Which backend, as a URL: `sqlite` (default) or `sqlite:/absolute/dir`. */
  store?: string;
  /** Where the embedded files go when `store` is plain `sqlite`. */
  cacheDir: string;
  /** Cap on the compressed bytes of originals kept; least recently read go first. */
  storeMaxBytes?: number;
  /** Days an original is kept after it was last read. */
  storeTtlDays?: number;
}

export interface OriginalStoreOptions {
  /** Told once per distinct problem (corrupt file, unwritable directory...); the store keeps working. */
  onWarning?: (message: string) => void;
  /** Originals stored between two eviction passes. */
  evictEvery?: number;
  /** Clock in milliseconds, for expiry. */
  now?: () => number;
}

export interface StatsStoreOptions {
  /** Only read: never create or write anything, and find rows once another process starts writing. */
  readOnly?: boolean;
  /** How long recorded rows may wait before they are written together. */
  flushMs?: number;
  /** Told when rows could not be written (default: a process warning). */
  onError?: (error: Error) => void;
}

const SUPPORTED = 'supported: sqlite, or sqlite:/absolute/dir';

/** The directory of the embedded files for `settings`; a ConfigError for a store URL this build cannot open. */
function sqliteDir(settings: StoreSettings): string {
  const url = (settings.store ?? STORE_DEFAULTS.store).trim();
  if (url === 'sqlite') return settings.cacheDir;
  if (url.startsWith('sqlite:')) {
    const dir = url.slice('sqlite:'.length);
    if (isAbsolute(dir)) return dir;
    throw new ConfigError(`store "${url}" needs an absolute directory after sqlite: (${SUPPORTED})`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new ConfigError(
    scheme
      ? `store "${scheme}:" is not supported by this headroom (${SUPPORTED})`
      : `store "${url}" is not a store URL (${SUPPORTED})`,
  );
}

/** Open the originals store the settings name; a bad file or directory degrades it, never throws. */
export async function openOriginalStore(
  settings: StoreSettings,
  options: OriginalStoreOptions = {},
): Promise<OriginalStore> {
  return openSqliteOriginalStore({
    dir: sqliteDir(settings),
    maxBytes: settings.storeMaxBytes,
    ttlDays: settings.storeTtlDays,
    ...options,
  });
}

/** Open the stats store the settings name (created and migrated unless read-only). */
export async function openStatsStore(
  settings: StoreSettings,
  options: StatsStoreOptions = {},
): Promise<StatsStore> {
  return openSqliteStatsStore(statsDbPath(sqliteDir(settings)), options);
}
