// `headroom proxy` as the benchmarks run it: the built CLI as a child process on a free loopback port, with
// a private config and cache dir, and what /proc says about the process (memory, open files, CPU time).

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const bin = join(root, 'bin', 'run.js');

/**
 * Start `headroom proxy --port 0 …flags` with `env` added to this process's environment, and resolve once
 * it listens. Its log is kept (`log()`), to show only if it fails: its shutdown lines are not figures.
 */
export function startProxyChild({ env = {}, flags = [] } = {}) {
  const dirs = {
    HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-bench-config-')),
    HEADROOM_CACHE_DIR: mkdtempSync(join(tmpdir(), 'headroom-bench-cache-')),
  };
  const child = spawn(process.execPath, [bin, 'proxy', '--port', '0', ...flags], {
    env: { ...process.env, ...dirs, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk) => {
    log += chunk;
  });
  return new Promise((resolveStart, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolveStart({ child, url: match[1], dirs, log: () => log });
    });
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}: ${log}`)));
  });
}

/** Stop the proxy as a user would (SIGTERM) and resolve with its exit code, its log shown if it was not 0. */
export async function stopProxyChild(proxy) {
  const exited = new Promise((done) => proxy.child.once('exit', done));
  proxy.child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) process.stderr.write(`headroom proxy exited with ${code}:\n${proxy.log()}`);
  return code;
}

/** Delete the proxy's private config and cache dirs. */
export function removeProxyDirs(proxy) {
  for (const dir of Object.values(proxy.dirs)) rmSync(dir, { recursive: true, force: true });
}

/** The process's resident memory now and at its peak, in MB (VmRSS and VmHWM of /proc/<pid>/status). */
export function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** How many files, sockets and pipes the process holds open (entries of /proc/<pid>/fd). */
export function openHandles(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** CPU time the process has used so far, in ms (user + system, from /proc/<pid>/stat). */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
