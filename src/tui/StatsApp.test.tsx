// The live stats view as a user drives it: rows arriving from the feed, keys to select, open and filter.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../../test/helpers/until.js';
import { LiveFeed } from '../stats/live.js';
import { openStatsStore } from '../store/index.js';
import type { NewRequestRow, StatsStore } from '../store/types.js';
import { liveRows } from './run-stats.js';
import { StatsApp } from './StatsApp.js';

const now = Date.now();

function recorded(overrides: Partial<NewRequestRow>): NewRequestRow {
  return {
    ts: now - 60_000,
    provider: 'anthropic',
    method: 'POST',
    path: '/v1/messages',
    status: 200,
    model: 'claude-sonnet-4-5',
    tokensBefore: 10_000,
    tokensAfter: 4_000,
    transforms: { json: 1 },
    latencyMs: 700,
    ...overrides,
  };
}

describe('stats app', () => {
  let dir: string;
  let store: StatsStore;
  let reader: StatsStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-tui-'));
    store = await openStatsStore({ cacheDir: dir }, { flushMs: 5 });
    reader = await openStatsStore({ cacheDir: dir }, { readOnly: true });
  });

  afterEach(async () => {
    await reader.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start() {
    const initial = await reader.rows();
    const feed = new LiveFeed({ cacheDir: dir, store: reader, afterId: initial.at(-1)?.id ?? 0, pollMs: 50 });
    return render(
      <StatsApp initialRows={initial} feed={feed} windowLabel="all time" size={{ width: 100, height: 30 }} />,
    );
  }

  it('shows rows the proxy writes while it runs, without a restart', async () => {
    void store.record(recorded({ sessionId: 'one', agent: 'claude', project: 'webshop' }));
    await store.flush();
    const app = await start();
    expect(app.lastFrame()).toContain('requests 1');
    void store.record(
      recorded({ sessionId: 'one', agent: 'claude', project: 'webshop', model: 'gpt-4o', ts: now }),
    );
    await store.flush();
    await until(() => app.lastFrame()?.includes('requests 2') ?? false, 'the new row');
    expect(app.lastFrame()).toContain('gpt-4o');
    app.unmount();
  });

  it('holds the newest rows of a long history, drops the oldest as new ones come, and says so', async () => {
    for (let i = 0; i < 30; i++)
      void store.record(recorded({ sessionId: `s${i % 3}`, ts: now - 90_000 + i }));
    await store.flush();
    const { rows, capped } = await liveRows(reader, {}, 10);
    expect(capped).toBe(true);
    expect(rows.map((row) => row.ts)).toEqual((await reader.rows()).slice(-10).map((row) => row.ts));
    expect(await liveRows(reader, {}, 30)).toMatchObject({ capped: false });

    const feed = new LiveFeed({ cacheDir: dir, store: reader, afterId: rows.at(-1)?.id ?? 0, pollMs: 50 });
    const app = render(
      <StatsApp
        initialRows={rows.slice(-5)}
        maxRows={8}
        feed={feed}
        windowLabel="all time"
        size={{ width: 140, height: 30 }}
      />,
    );
    const frame = () => app.lastFrame() ?? '';
    expect(frame()).toContain('requests 5');
    expect(frame()).not.toContain('newest');
    for (let i = 0; i < 6; i++) void store.record(recorded({ sessionId: 'late', ts: now - 1_000 + i }));
    await store.flush();
    await until(() => frame().includes('newest 8 (stats --json: all)'), 'the oldest rows to go');
    expect(frame()).toContain('requests 8');
    app.unmount();
  });

  it('moves the selection, drills into a session, goes back, toggles transforms and filters', async () => {
    void store.record(
      recorded({ sessionId: 'old', agent: 'codex', project: 'api', ts: now - 120_000, model: 'gpt-5' }),
    );
    void store.record(recorded({ sessionId: 'new', agent: 'claude', project: 'webshop', ts: now - 60_000 }));
    await store.flush();
    const app = await start();
    const frame = () => app.lastFrame() ?? '';
    expect(frame()).toMatch(/› claude\s+webshop/);

    app.stdin.write('j');
    await until(() => /› codex\s+api/.test(frame()), 'selection to move down');

    app.stdin.write('\r');
    await until(() => frame().includes('esc back'), 'the session to open');
    expect(frame()).toContain('TURNS · codex · api · old');
    expect(frame()).not.toContain('SESSIONS');
    expect(frame()).toMatch(/› \d\d:\d\d:\d\d\s+gpt-5/);

    app.stdin.write('\x7f');
    await until(() => frame().includes('SESSIONS (2)'), 'going back to sessions');
    expect(frame()).toMatch(/› codex\s+api/);

    app.stdin.write('t');
    await until(() => frame().includes('TRANSFORMS blocks compressed'), 'the transform breakdown');

    app.stdin.write('/');
    await until(() => frame().includes('enter apply'), 'the filter prompt');
    for (const ch of 'gpt') app.stdin.write(ch);
    await until(() => frame().includes('filter: gpt'), 'typed filter text');
    app.stdin.write('\r');
    await until(() => frame().includes('SESSIONS (1)'), 'the filter to apply');
    expect(frame()).toContain('requests 1');
    expect(frame()).not.toMatch(/claude\s+webshop/);
    app.unmount();
  });
});
