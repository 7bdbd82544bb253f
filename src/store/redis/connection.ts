// One Redis connection per server URL in a process, shared by every store that keeps its data there (the
// originals, the stats, and any later store on the same server), reconnecting on its own when Redis returns.

import type { Redis } from 'ioredis';
import { ConfigError } from '../../errors.js';

/** Every key headroom writes starts with this, so one Redis database can hold other data beside it. */
export const KEY_PREFIX = 'headroom:';

// Commands fail at once while Redis is unreachable (no queue in memory) so a request never waits on it:
// the proxy sends it as written and says so in its row.
const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 5000;
const RECONNECT_MAX_MS = 2000;

/** A Redis server named by a `redis://` or `rediss://` URL. */
export interface RedisTarget {
  /** The URL as given, password included: only ever handed to the client. */
  url: string;
  /** The URL without its password, for messages. */
  location: string;
}

/** Read a `redis://[user:password@]host[:port][/db]` URL; a ConfigError names what is wrong with one. */
/** A store URL with its password masked (`redis://:***@host`), even one too malformed to parse. */
export function withoutPassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

export function redisTarget(url: string): RedisTarget {
  const masked = withoutPassword(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`store "${masked}" is not a Redis URL (redis://host:port/db)`);
  }
  if (!parsed.hostname) throw new ConfigError(`store "${masked}" names no Redis host (redis://host:port/db)`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new ConfigError(
      `store "${masked}": the Redis database after the host must be a number, not "${db}"`,
    );
  }
  const shown = new URL(parsed.href);
  if (shown.password) shown.password = '***';
  return { url, location: shown.href };
}

/** A shared connection; `release()` closes it once every holder has let go. */
export interface RedisConnection {
  readonly client: Redis;
  readonly location: string;
  /** True while commands can reach the server. */
  readonly ready: boolean;
  /** Told once per distinct connection problem until the connection is ready again. */
  onProblem(listener: (message: string) => void): () => void;
  release(): Promise<void>;
}

interface Shared {
  client: Redis;
  holders: number;
  listeners: Set<(message: string) => void>;
  opened: Promise<void>;
}

const shared = new Map<string, Shared>();

// The client library is loaded by the first store that uses Redis: a proxy on the embedded store never
// holds its ~20 MB.
let ioredis: Promise<{ Redis: typeof Redis }> | undefined;

function connect(Client: typeof Redis, target: RedisTarget): Shared {
  const client = new Client(target.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, RECONNECT_MAX_MS),
  });
  const listeners = new Set<(message: string) => void>();
  let said: string | undefined;
  // An unhandled 'error' event would end the process; each problem is said once, until Redis is back.
  client.on('error', (error: Error) => {
    const message = `Redis at ${target.location} is unreachable (${error.message}); retrying`;
    if (message === said) return;
    said = message;
    for (const listener of listeners) listener(message);
  });
  client.on('ready', () => {
    said = undefined;
  });
  // Opening waits for the server a moment; past that the stores work (failing open) while it reconnects.
  const opened = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
    timer.unref();
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect().catch(() => {});
  });
  return { client, holders: 0, listeners, opened };
}

/** The process's connection to the server `target` names, opened on first use. */
export async function openRedisConnection(target: RedisTarget): Promise<RedisConnection> {
  ioredis ??= import('ioredis');
  const { Redis: Client } = await ioredis;
  let entry = shared.get(target.url);
  if (!entry) {
    entry = connect(Client, target);
    shared.set(target.url, entry);
  }
  entry.holders += 1;
  const held = entry;
  await held.opened;
  let released = false;
  return {
    client: held.client,
    location: target.location,
    get ready() {
      return held.client.status === 'ready';
    },
    onProblem(listener) {
      held.listeners.add(listener);
      return () => held.listeners.delete(listener);
    },
    async release() {
      if (released) return;
      released = true;
      held.holders -= 1;
      if (held.holders > 0) return;
      if (shared.get(target.url) === held) shared.delete(target.url);
      held.listeners.clear();
      if (held.client.status === 'ready') await held.client.quit().catch(() => held.client.disconnect());
      else held.client.disconnect();
    },
  };
}

/** Why a command failed, in words for a user: an unreachable server reads as that, not as a client detail. */
export function redisProblem(error: unknown, location: string): string {
  const message = (error as Error)?.message ?? String(error);
  // ioredis's words for a command refused while it is disconnected.
  if (/enableOfflineQueue|Connection is closed/i.test(message))
    return `Redis at ${location} is unreachable (not connected)`;
  if (/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|Command timed out/i.test(message)) {
    return `Redis at ${location} is unreachable (${message})`;
  }
  return message;
}
