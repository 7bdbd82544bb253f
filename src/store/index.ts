// Opens the stores a setting names. `store` is a URL: `sqlite` keeps the embedded files in the cache dir,
// `sqlite:/abs/dir` in that directory. Callers pass their settings in; nothing here reads the config file.

import { isAbsolute } from 'node:path';
import { ConfigError } from '../errors.js';
import { STORE_DEFAULTS } from './defaults.js';
import { openSqliteMemoryStore } from './sqlite/memory.js';
import { openSqliteOriginalStore } from './sqlite/originals.js';
import { openSqliteStatsStore, statsDbPath } from './sqlite/stats.js';
import type { MemoryStore, OriginalStore, StatsStore } from './types.js';

export { STORE_DEFAULTS } from './defaults.js';
export type {
  Memory,
  MemoryFilter,
  MemoryHit,
  MemoryStore,
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
  /** Told when rows could not be written (default: a process warning); once until a write succeeds again. */
  onError?: (error: Error) => void;
  /** Keep the rows in this process's memory only, for a proxy whose store cannot be opened. */
  inMemory?: boolean;
}

/** A kind of store, opened from the part of the `store` URL after its scheme. */
interface Backend {
  /** How the URL is written, for the message that names what is supported. */
  example: string;
  /** The local directory that holds this backend's files, when it keeps them on this machine. */
  directory?(location: string, settings: StoreSettings): string;
  originals(location: string, settings: StoreSettings, options: OriginalStoreOptions): Promise<OriginalStore>;
  stats(location: string, settings: StoreSettings, options: StatsStoreOptions): Promise<StatsStore>;
  /** The agents' shared memory, when this backend keeps one. */
  memory?(location: string, settings: StoreSettings): Promise<MemoryStore>;
}

/** The directory of the embedded files: the cache dir for a bare `sqlite`, else the absolute path given. */
function sqliteDir(url: string, location: string, settings: StoreSettings): string {
  if (location === '') return settings.cacheDir;
  if (isAbsolute(location)) return location;
  throw new ConfigError(`store "${url}" needs an absolute directory after sqlite: (${supported()})`);
}

// Every store backend by URL scheme. Adding one is a folder beside sqlite/ and a line here.
const BACKENDS: Record<string, Backend> = {
  sqlite: {
    example: 'sqlite, or sqlite:/absolute/dir',
    directory: (location, settings) => sqliteDir(`sqlite:${location}`, location, settings),
    originals: async (location, settings, options) =>
      openSqliteOriginalStore({
        dir: sqliteDir(`sqlite:${location}`, location, settings),
        maxBytes: settings.storeMaxBytes,
        ttlDays: settings.storeTtlDays,
        ...options,
      }),
    stats: async (location, settings, options) =>
      openSqliteStatsStore(statsDbPath(sqliteDir(`sqlite:${location}`, location, settings)), options),
    memory: async (location, settings) =>
      openSqliteMemoryStore(sqliteDir(`sqlite:${location}`, location, settings)),
  },
};

const supported = () =>
  `supported: ${Object.values(BACKENDS)
    .map((backend) => backend.example)
    .join('; ')}`;

/** The backend the settings' `store` URL names and the rest of the URL; a ConfigError for one this build lacks. */
function backendFor(settings: StoreSettings): { backend: Backend; location: string } {
  const url = (settings.store ?? STORE_DEFAULTS.store).trim();
  // A backend's bare name (`sqlite`) stands for its defaults.
  if (Object.hasOwn(BACKENDS, url)) return { backend: BACKENDS[url]!, location: '' };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  const name = scheme?.toLowerCase();
  const backend = name && Object.hasOwn(BACKENDS, name) ? BACKENDS[name] : undefined;
  if (backend && scheme) return { backend, location: url.slice(scheme.length + 1) };
  throw new ConfigError(
    scheme
      ? `store "${scheme}:" is not supported by this headroom (${supported()})`
      : `store "${url}" is not a store URL (${supported()})`,
  );
}

/** Open the originals store the settings name; a bad file or directory degrades it, never throws. */
export async function openOriginalStore(
  settings: StoreSettings,
  options: OriginalStoreOptions = {},
): Promise<OriginalStore> {
  const { backend, location } = backendFor(settings);
  return backend.originals(location, settings, options);
}

/** Open the stats store the settings name (created and migrated unless read-only). */
export async function openStatsStore(
  settings: StoreSettings,
  options: StatsStoreOptions = {},
): Promise<StatsStore> {
  const { backend, location } = backendFor(settings);
  return backend.stats(location, settings, options);
}

/** The local directory the settings' store keeps its files in, or undefined for a store that keeps none here. */
export function storeDirectory(settings: StoreSettings): string | undefined {
  const { backend, location } = backendFor(settings);
  return backend.directory?.(location, settings);
}

/** Open the memory store the settings name; a HeadroomError when it cannot be opened or the backend has none. */
export async function openMemoryStore(settings: StoreSettings): Promise<MemoryStore> {
  const { backend, location } = backendFor(settings);
  if (!backend.memory) {
    throw new ConfigError(`store "${settings.store}" keeps no memory (${supported()})`);
  }
  return backend.memory(location, settings);
}
