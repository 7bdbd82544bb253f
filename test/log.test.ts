// The logger never takes the process down: a log file that cannot be written costs its lines only, and
// what it does write is private to the user.

import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const moduleUrl = new URL('../dist/log.js', import.meta.url).href;

/** Log two lines to `file` from a fresh process (as the built package), then say it is still alive. */
const logTwice = (file: string) =>
  execa(
    'node',
    [
      '--input-type=module',
      '-e',
      `const { createLogger } = await import(${JSON.stringify(moduleUrl)});
       const log = createLogger({ file: process.argv[1] });
       log.warn('first line, api key sk-ant-secret-123456789');
       await new Promise((r) => setTimeout(r, 50));
       log.warn('second line');
       await new Promise((r) => setTimeout(r, 50));
       console.log('still running');`,
      file,
    ],
    { cwd: root, reject: false },
  );

describe('logging to a file', () => {
  it('keeps the process running when the log file cannot be opened', async () => {
    // A directory where the file should be: opening it fails as a full disk or a removed path would.
    const result = await logTwice(mkdtempSync(join(tmpdir(), 'headroom-log-')));
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('still running');
  });

  it('writes redacted lines to a 0600 file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'headroom-log-')), 'proxy.log');
    const result = await logTwice(file);
    expect(result.stdout).toBe('still running');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/warn {2}first line, api key sk-\*\*\*\n.*warn {2}second line\n$/);
    expect(text).not.toContain('secret-123456789');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
