import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { MARKER_PATTERN } from '../src/compress/marker.js';
import { realOutput } from './helpers/real-outputs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = resolve(root, 'bin/run.js');
const home = mkdtempSync(join(tmpdir(), 'headroom-compress-'));
const env = { HEADROOM_CACHE_DIR: join(home, 'cache'), HEADROOM_CONFIG_DIR: join(home, 'config') };
const run = (args: string[], input?: string) =>
  execa(process.execPath, [bin, ...args], { env, input, reject: false, maxBuffer: 64 * 1024 * 1024 });

afterAll(() => rmSync(home, { recursive: true, force: true }));

const randomHex = () => randomBytes(16).toString('hex');

/** Real code with its line breaks taken out and runs of `=` in between: seconds of work even counted fast. */
function pathologicalLine(length: number): string {
  const code = readFileSync(join(root, 'node_modules/undici/lib/dispatcher/client-h1.js'), 'utf8');
  const unit = `${code.replace(/\s*\n\s*/g, ' ')}${'='.repeat(5000)}`;
  return unit.repeat(Math.ceil(length / unit.length));
}

describe('headroom compress', () => {
  it('prints the compressed file with its marker and a token summary on stderr', async () => {
    const item = realOutput('log-express-debug');
    const file = join(home, 'server.log');
    writeFileSync(file, item.text);
    const result = await run(['compress', file, '--query', item.question]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.length).toBeLessThan(item.text.length / 5);
    expect(result.stdout).toMatch(MARKER_PATTERN);
    for (const needle of item.needles) expect(result.stdout).toContain(needle);
    expect(result.stderr).toMatch(/^headroom: logs, logs transform: \d+ → \d+ tokens \(\d+\.\d% saved\)$/m);
  });

  it('prints nothing and says why in one line when the disk is too full to keep the original', async () => {
    // Log lines with random request ids: brotli keeps them large, so the original cannot fit in 64 KiB.
    const lines = Array.from(
      { length: 20_000 },
      (_, i) =>
        `2026-12-02T10:00:${String(i % 60).padStart(2, '0')}Z INFO GET /v1/items/${i} status=200 req=${randomHex()}`,
    );
    const file = join(home, 'busy.log');
    writeFileSync(file, lines.join('\n'));
    const fresh = { HEADROOM_CACHE_DIR: join(home, 'full-cache'), HEADROOM_CONFIG_DIR: join(home, 'config') };
    // POSIX sh counts `ulimit -f` in blocks of 512 bytes: 128 blocks is 64 KiB per file.
    const result = await execa(
      'sh',
      ['-c', 'ulimit -f 128 && exec "$0" "$@"', process.execPath, bin, 'compress', file],
      {
        env: fresh,
        reject: false,
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(
      /^headroom: cannot keep the original in .*originals\.db \(is the disk full\?\); nothing printed/,
    );
  });

  it('reads piped standard input when no FILE is named, as the pipe examples in its help do', async () => {
    const item = realOutput('log-express-debug');
    const result = await run(['compress', '--kind', 'logs'], item.text);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(MARKER_PATTERN);
    expect(result.stdout.length).toBeLessThan(item.text.length / 5);
    expect(result.stderr).toMatch(/^headroom: logs, logs transform: /m);
  });

  it('reads standard input and saves the original so `headroom retrieve` returns it byte for byte', async () => {
    const item = realOutput('search-grep-undici-timeout');
    const compressed = await run(['compress', '-', '--json'], item.text);
    expect(compressed.exitCode).toBe(0);
    const summary = JSON.parse(compressed.stdout) as {
      kind: string;
      originalId: string;
      tokensAfter: number;
      tokensBefore: number;
    };
    expect(summary.kind).toBe('search');
    expect(summary.tokensAfter).toBeLessThan(summary.tokensBefore);
    const original = await run(['retrieve', summary.originalId]);
    expect(original.exitCode).toBe(0);
    expect(original.stdout).toBe(item.text.replace(/\n$/, ''));
  });

  it('fails with one line and exit code 1 when the file does not exist', async () => {
    const result = await run(['compress', join(home, 'missing.log')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toBe(`headroom: cannot read ${join(home, 'missing.log')}: no such file`);
    expect(result.stdout).toBe('');
  });

  it('compresses 1 MB of `=` and 2 MB of NUL bytes, which used to take minutes and throw a RangeError', async () => {
    const file = join(home, 'runs.txt');
    writeFileSync(file, `${'='.repeat(1 << 20)}\n${'\0'.repeat(2 << 20)}\n`);
    const result = await run(['compress', file]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^headroom: text, .*: \d+ → \d+ tokens/m);
  }, 60_000);

  for (const [signal, exitCode, what] of [
    ['SIGINT', 130, 'interrupted'],
    ['SIGTERM', 143, 'terminated'],
  ] as const) {
    it(`stops at once on ${signal} while compressing a long single line, with one line and exit code ${exitCode}`, async () => {
      const input = pathologicalLine(30 << 20);
      const child = execa(process.execPath, [bin, 'compress', '-'], { env, reject: false });
      // Once standard input is written, the command has read it; a second later it is deep in the work.
      await new Promise<void>((written) => child.stdin?.end(input, written));
      await setTimeout(1000);
      const signalled = performance.now();
      child.kill(signal);
      const result = await child;
      expect(result.exitCode).toBe(exitCode);
      expect(result.stderr.trim()).toBe(`headroom: ${what} (${signal})`);
      expect(performance.now() - signalled).toBeLessThan(5000);
    }, 60_000);
  }

  it('leaves small input unchanged and says why', async () => {
    const result = await run(['compress', '-', '--kind', 'logs'], 'ERROR one line only\n');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('ERROR one line only');
    expect(result.stderr).toContain('unchanged');
  });
});
