// `headroom cache`: what is kept on this machine, and deleting it, never under a running proxy.

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { realOutput } from './helpers/real-outputs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = resolve(root, 'bin/run.js');
const home = mkdtempSync(join(tmpdir(), 'headroom-cache-cli-'));
const env = { HEADROOM_CACHE_DIR: join(home, 'cache'), HEADROOM_CONFIG_DIR: join(home, 'config') };
const run = (...args: string[]) =>
  execa(process.execPath, [bin, ...args], { env, reject: false, stdin: 'ignore' });
const children: ResultPromise[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

describe('headroom cache', () => {
  it('lists the stored originals, and clears them only with --yes and never under a running proxy', async () => {
    // `compress` stores the original of what it shortened, as the proxy does.
    const log = realOutput('log-express-debug');
    const stored = await execa(process.execPath, [bin, 'compress', '-'], {
      env,
      input: log.text,
      reject: false,
    });
    expect(stored.exitCode).toBe(0);
    const info = await run('cache', 'info', '--json');
    expect(info.exitCode).toBe(0);
    const listed = JSON.parse(info.stdout) as { dir: string; files: Array<{ name: string }>; bytes: number };
    expect(listed.dir).toBe(env.HEADROOM_CACHE_DIR);
    expect(listed.files.map((f) => f.name)).toContain('originals.db');

    const unconfirmed = await run('cache', 'clear');
    expect(unconfirmed.exitCode).toBe(1);
    expect(unconfirmed.stderr.trim()).toBe(
      'headroom: refusing to clear the cache without confirmation: pass --yes',
    );

    const proxy = execa(process.execPath, [bin, 'proxy', '--port', '0'], { env, reject: false });
    children.push(proxy);
    await new Promise<void>((ready) =>
      proxy.stdout?.on('data', (d: Buffer) => /listening/.test(String(d)) && ready()),
    );
    const refused = await run('cache', 'clear', '--yes');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(
      /^headroom: a headroom proxy \(pid \d+\) is using .*: stop it before clearing the cache$/,
    );
    proxy.kill('SIGTERM');
    await proxy;

    const cleared = await run('cache', 'clear', '--yes');
    expect(cleared.exitCode).toBe(0);
    expect(cleared.stdout).toMatch(/^cleared \d+ files/);
    expect(existsSync(join(env.HEADROOM_CACHE_DIR, 'originals.db'))).toBe(false);
    expect(readdirSync(env.HEADROOM_CACHE_DIR).filter((n) => n.endsWith('.db'))).toEqual([]);
  });
});
