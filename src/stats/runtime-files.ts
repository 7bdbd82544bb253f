// Running proxies announce themselves with one small file each under `<cacheDir>/run/`, so `headroom stats`
// can find them and follow their live streams. Files of processes that have died are ignored and removed.

import { chmodSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../private-dir.js';

export interface RuntimeInfo {
  pid: number;
  /** Base URL the proxy serves on, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Epoch ms. */
  startedAt: number;
}

const runDir = (cacheDir: string) => join(cacheDir, 'run');
const fileFor = (cacheDir: string, pid: number) => join(runDir(cacheDir), `proxy-${pid}.json`);

/** Announce a running proxy (file 0600 in a 0700 directory); returns the file's path. */
export function writeRuntimeFile(cacheDir: string, info: RuntimeInfo): string {
  ensurePrivateDir(cacheDir);
  ensurePrivateDir(runDir(cacheDir));
  const file = fileFor(cacheDir, info.pid);
  // Written aside and renamed, so a reader never sees half a file and mistakes it for a stale one.
  const partial = `${file}.partial`;
  writeFileSync(partial, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, file);
  return file;
}

/** Withdraw the announcement of the proxy with this pid (no error when it is already gone). */
export function removeRuntimeFile(cacheDir: string, pid: number): void {
  rmSync(fileFor(cacheDir, pid), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseInfo(text: string): RuntimeInfo | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, url, startedAt } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof url !== 'string' || !/^https?:\/\//.test(url)) return undefined;
    return { pid, url, startedAt: typeof startedAt === 'number' ? startedAt : 0 };
  } catch {
    return undefined;
  }
}

/** The proxies running now with this cache directory, oldest first. Stale and unreadable files are removed. */
export function listRunningProxies(cacheDir: string): RuntimeInfo[] {
  let names: string[];
  try {
    names = readdirSync(runDir(cacheDir)).filter((name) => /^proxy-\d+\.json$/.test(name));
  } catch {
    return [];
  }
  const running: RuntimeInfo[] = [];
  for (const name of names) {
    const file = join(runDir(cacheDir), name);
    let info: RuntimeInfo | undefined;
    try {
      info = parseInfo(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (info && isAlive(info.pid)) running.push(info);
    else rmSync(file, { force: true });
  }
  return running.sort((a, b) => a.startedAt - b.startedAt);
}
