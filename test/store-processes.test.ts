// The embedded stores shared by several headroom processes at once, as several proxies and CLIs on one
// machine share them: the built stores run in real child processes writing the same files.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { originalId } from '../src/compress/marker.js';
import { totals } from '../src/stats/report.js';
import { openOriginalStore, openStatsStore } from '../src/store/index.js';
import { statsDbPath } from '../src/store/sqlite/stats.js';

const built = resolve(import.meta.dirname, '../dist/store/index.js');
const run = promisify(execFile);

/** Run `source` as an ES module in a child process with `args`. */
function child(source: string, ...args: string[]) {
  return run(process.execPath, ['--input-type=module', '-e', source, ...args]);
}

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'headroom-processes-')), 'cache');
}

describe('stores shared by processes', () => {
  it('finds the built stores the child processes load', () => {
    expect(existsSync(built), 'run `npm run build` first').toBe(true);
  });

  it('loses no stats row when two processes write 500 rows each at the same time', async () => {
    const dir = freshDir();
    const writer = `
      const { openStatsStore } = await import(${JSON.stringify(built)});
      const store = await openStatsStore({ cacheDir: process.argv[1] }, { flushMs: 1 });
      for (let i = 0; i < 500; i++) {
        void store.record({ ts: Date.now(), provider: 'openai', method: 'POST', path: '/v1/responses', status: 200, agent: process.argv[2] });
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      await store.close();
    `;
    await Promise.all([child(writer, dir, 'one'), child(writer, dir, 'two')]);
    const store = await openStatsStore({ cacheDir: dir });
    try {
      expect(totals(await store.rows()).requests).toBe(1000);
      expect(await store.rows({ agent: 'one' })).toHaveLength(500);
    } finally {
      await store.close();
    }
    const db = new Database(statsDbPath(dir), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('loses and corrupts no original when two processes store 300 each at the same time', async () => {
    const dir = freshDir();
    const writer = `
      const { openOriginalStore } = await import(${JSON.stringify(built)});
      const [dir, name] = process.argv.slice(1);
      const store = await openOriginalStore({ cacheDir: dir }, { evictEvery: 50, onWarning: (m) => { console.error(m); process.exitCode = 1; } });
      for (let i = 0; i < 300; i++) await store.put(name + ' original ' + i + '\\n' + 'line of log output\\n'.repeat(i % 40));
      await store.close();
    `;
    await Promise.all(['left', 'right'].map((name) => child(writer, dir, name)));
    const store = await openOriginalStore({ cacheDir: dir });
    try {
      for (const name of ['left', 'right']) {
        for (let i = 0; i < 300; i++) {
          const text = `${name} original ${i}\n${'line of log output\n'.repeat(i % 40)}`;
          expect(await store.get(originalId(text))).toBe(text);
        }
      }
    } finally {
      await store.close();
    }
    const db = new Database(join(dir, 'originals.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
