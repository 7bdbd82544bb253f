// `headroom config` and the CLI's errors as a new user meets them: a bad value is refused on `set`, one
// already in the file is reported with its fix and never stops `config` itself, and every error is one line.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = resolve(root, 'bin/run.js');
const home = mkdtempSync(join(tmpdir(), 'headroom-config-cli-'));
const env = { HEADROOM_CACHE_DIR: join(home, 'cache'), HEADROOM_CONFIG_DIR: join(home, 'config') };
const file = join(env.HEADROOM_CONFIG_DIR, 'config.json');
const run = (...args: string[]) =>
  execa(process.execPath, [bin, ...args], { env, reject: false, timeout: 30_000 });

/** The one `headroom: …` line a failing command prints, and nothing else. */
function oneLineError(stderr: string): string {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^headroom: /);
  return lines[0] as string;
}

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('headroom config with bad values', () => {
  it('refuses a value it could not use, and keeps the file as it was', async () => {
    expect((await run('config', 'set', 'minTokens', '500')).exitCode).toBe(0);
    const before = readFileSync(file, 'utf8');
    for (const [name, value] of [
      ['logLevel', 'verbose'],
      ['port', '70000'],
    ]) {
      const result = await run('config', 'set', name as string, value as string);
      expect(result.exitCode).toBe(2);
      expect(oneLineError(result.stderr)).toContain(`setting "${name}" must be`);
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('reports a bad value already in the file with its fix, and config itself keeps working', async () => {
    writeFileSync(file, JSON.stringify({ logLevel: 'verbose', port: 70000 }));
    const path = await run('config', 'path');
    expect(path.exitCode).toBe(0);
    expect(path.stdout.trim()).toBe(file);

    const list = await run('config', 'list');
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/^port\s+8787\s+default/m);
    expect(list.stderr).toContain('(fix: headroom config unset logLevel)');
    expect(list.stderr).toContain('(fix: headroom config unset port)');

    // `--port` wins over the file's port, so the value it stops at is the log level.
    const proxy = await run('proxy', '--port', '0');
    expect(proxy.exitCode).toBe(2);
    expect(oneLineError(proxy.stderr)).toMatch(
      /config file entry "logLevel" .* \(fix: headroom config unset logLevel\)$/,
    );

    expect((await run('config', 'unset', 'logLevel')).exitCode).toBe(0);
    expect((await run('config', 'unset', 'port')).exitCode).toBe(0);
    const clean = await run('config', 'list');
    expect(clean.exitCode).toBe(0);
    expect(clean.stderr).toBe('');
  });
});

describe('errors a new user meets', () => {
  it('says each in one line with a usage exit code', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['proxy', '--port', '99999'], /--port must be a whole number from 0 to 65535, got "99999"/],
      [['nosuchcommand'], /unknown command "nosuchcommand" \(commands: .*proxy.*\)/],
      [['stats', '--nosuchflag'], /Nonexistent flag: --nosuchflag/],
      [['retrieve'], /Missing 1 required arg: id/],
    ];
    for (const [args, message] of cases) {
      const result = await run(...args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(oneLineError(result.stderr)).toMatch(message);
    }
  });
});
