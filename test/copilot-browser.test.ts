// The verification page opens through the desktop's own opener (xdg-open on Linux) when there is a desktop,
// and nothing is started where there is none.

import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openInBrowser } from '../src/copilot/browser.js';
import { until } from './helpers/until.js';
import { tempDir } from './helpers/wrap.js';

describe.skipIf(process.platform !== 'linux')('opening the verification page', () => {
  /** A stand-in xdg-open on PATH that writes the URL it was given to `opened`. */
  function desktop() {
    const bin = tempDir('opener');
    const opened = join(bin, 'opened');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > ${opened}\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    return { bin, opened };
  }

  it('hands the URL to xdg-open when there is a display', async () => {
    const { bin, opened } = desktop();
    const url = 'https://github.com/login/device';
    expect(openInBrowser(url, { PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ':0' })).toBe(true);
    await until(() => existsSync(opened), 'xdg-open to be run');
    await until(() => readFileSync(opened, 'utf8').trim() === url, 'the URL to reach xdg-open');
  });

  it('starts nothing without a display', () => {
    const { bin, opened } = desktop();
    expect(openInBrowser('https://github.com/login/device', { PATH: `${bin}:/usr/bin:/bin` })).toBe(false);
    expect(existsSync(opened)).toBe(false);
  });
});
