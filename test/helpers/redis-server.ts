// A real redis-server for the tests: spawned on a free loopback port in a temporary directory, with nothing
// saved to disk, killed (and restarted on the same port, to play an outage) by the test that owns it.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when `redis-server` is on PATH (CI installs it; a test that needs it is skipped, by name, otherwise). */
export const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** The name of a test that needs redis-server, saying what is missing when it is skipped. */
export const redisTestName = (name: string) =>
  hasRedisServer ? name : `${name} (skipped: redis-server is not installed; apt-get install redis-server)`;

/** Debian's RediSearch module (package redis-redisearch, 1.2: no index over hashes), which CI installs. */
export const DEBIAN_REDISEARCH = '/usr/lib/redis/modules/redisearch.so';
export const hasDebianRediSearch = hasRedisServer && existsSync(DEBIAN_REDISEARCH);

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>/<db>`: each database is an empty place of its own. */
  url(db?: number): string;
  /** A database no other caller was given. */
  freshUrl(): string;
  /** Kill the server (SIGKILL: an outage, not a shutdown). */
  kill(): Promise<void>;
  /** Start it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const DATABASES = 4096;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function launch(port: number, dir: string, modules: readonly string[]): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--databases',
      String(DATABASES),
      '--dir',
      dir,
      ...modules.flatMap((module) => ['--loadmodule', module]),
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}) before it was ready: ${out}`)),
    );
  });
}

function ended(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Start a redis-server on a free loopback port, with `modules` loaded; the caller stops it. */
export async function startRedisServer({ modules = [] }: { modules?: string[] } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  // A port found free can be taken before redis-server binds it: try another.
  for (let attempt = 0; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, modules);
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
  let next = 1;
  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    freshUrl() {
      if (next >= DATABASES) throw new Error('no Redis database left for this server');
      return `redis://127.0.0.1:${port}/${next++}`;
    },
    async kill() {
      await ended(child, 'SIGKILL');
    },
    async restart() {
      await ended(child, 'SIGKILL');
      child = await launch(port, dir, modules);
    },
    async stop() {
      await ended(child, 'SIGTERM');
    },
  };
}
