// Opens the stores a setting names. `store` is a URL: `sqlite` keeps the embedded files in the cache dir,
// `sqlite:/abs/dir` in that directory, `redis://host:port/db` in a Redis server several proxies share.
// Callers pass their settings in; nothing here reads the config file.

import { isAbsolute } from 'node:path';
import { ConfigError } from '../errors.js';
import { STORE_DEFAULTS } from './defaults.js';
import {
  openRedisConnection,
  type RedisConnection,
  redisTarget,
  withoutPassword,
} from './redis/connection.js';
import { openRedisMemoryStore } from './redis/memory.js';
import { openRedisOriginalStore } from './redis/originals.js';
import { openRedisStatsStore } from './redis/stats.js';
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
  /** Which backend, as a URL: `sqlite` (default), `sqlite:/absolute/dir` or `redis://host:port/db`. */
  store?: string;
  /** Where the embedded files go when `store` is plain `sqlite`. */
  cacheDir: string;
  /** Cap on the compressed bytes of originals kept; least recently read go first. */
  storeMaxBytes?: number;
  /** Days an original is kept after it was last read. */
  storeTtlDays?: number;
  /** Request rows a shared stats store keeps before trimming the oldest. */
  statsMaxRows?: number;
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
  /** The backend's server connection, for a store kept beside the originals and stats on the same server. */
  connection?(location: string): Promise<StoreConnection>;
  /** The agents' shared memory, when this backend keeps one. */
  memory?(location: string, settings: StoreSettings): Promise<MemoryStore>;
}

/** A connection to the server a shared store lives on, released by whoever asked for it. */
export type StoreConnection = { kind: 'redis' } & RedisConnection;

/** The directory of the embedded files: the cache dir for a bare `sqlite`, else the absolute path given. */
function sqliteDir(url: string, location: string, settings: StoreSettings): string {
  if (location === '') return settings.cacheDir;
  if (isAbsolute(location)) return location;
  throw new ConfigError(`store "${url}" needs an absolute directory after sqlite: (${supported()})`);
}

/** The Redis backend under one of its schemes (`redis`, or `rediss` for TLS). */
function redisBackend(scheme: string): Backend {
  const target = (location: string) => redisTarget(`${scheme}:${location}`);
  return {
    example: `${scheme}://host:port/db`,
    originals: (location, settings, options) =>
      openRedisOriginalStore({
        target: target(location),
        maxBytes: settings.storeMaxBytes,
        ttlDays: settings.storeTtlDays,
        onWarning: options.onWarning,
        now: options.now,
      }),
    stats: (location, settings, options) =>
      // A proxy that could not open its stats store keeps them in memory: the embedded store does that.
      options.inMemory
        ? Promise.resolve(openSqliteStatsStore(target(location).location, options))
        : openRedisStatsStore({ target: target(location), maxRows: settings.statsMaxRows, ...options }),
    connection: async (location) => ({ kind: 'redis', ...(await openRedisConnection(target(location))) }),
    memory: (location) => openRedisMemoryStore({ target: target(location) }),
  };
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
  redis: redisBackend('redis'),
  rediss: redisBackend('rediss'),
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

/**
 * The connection to the server the settings' store lives on, for another store kept there too (a shared
 * memory, say); undefined for a backend that keeps its files on this machine (see `storeDirectory`).
 */
export async function openStoreConnection(settings: StoreSettings): Promise<StoreConnection | undefined> {
  const { backend, location } = backendFor(settings);
  return backend.connection?.(location);
}

/** The settings' store URL as messages may show it: any password in it masked. */
export function shownStore(settings: StoreSettings): string {
  return withoutPassword((settings.store ?? STORE_DEFAULTS.store).trim());
}

/** Open the memory store the settings name; a HeadroomError when it cannot be opened or the backend has none. */
export async function openMemoryStore(settings: StoreSettings): Promise<MemoryStore> {
  const { backend, location } = backendFor(settings);
  if (!backend.memory) {
    throw new ConfigError(`store "${settings.store}" keeps no memory (${supported()})`);
  }
  return backend.memory(location, settings);
}
