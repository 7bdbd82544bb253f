import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { openSqliteStatsStore } from '../store/sqlite/stats.js';
import type { StatsStore } from '../store/types.js';
import { StatsEvents } from './events.js';
import { StatsRecorder } from './recorder.js';
import { TokenCounter } from './token-counter.js';

const stores: StatsStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function recorderOn(flushMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-recorder-'));
  const store = openSqliteStatsStore(join(dir, 'stats.db'), { flushMs });
  stores.push(store);
  return { store, recorder: new StatsRecorder(store, new StatsEvents(), new TokenCounter(), silentLogger) };
}

const start = (session: string) => ({
  provider: 'anthropic',
  method: 'POST',
  path: '/v1/messages',
  session: { id: session },
  tokenCount: false,
  pathModel: undefined,
});

describe('StatsRecorder', () => {
  it('settles a session once every request it began has its row written', async () => {
    // A long write-behind delay: the row sits queued after the request is over.
    const { store, recorder } = recorderOn(60_000);
    const record = recorder.begin(start('s1'));
    const settled = recorder.settled('s1', 5000);
    let done = false;
    void settled.then(() => {
      done = true;
    });
    record.ended({ status: 499, reason: 'client aborted' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    // A read writes what is queued first.
    expect(await store.rows({ session: 's1' })).toHaveLength(1);
    expect(await settled).toBe(true);
    expect(await recorder.settled('other', 10)).toBe(true);
  });

  it('says so when a session’s requests are still open past the wait', async () => {
    const { recorder } = recorderOn(10);
    recorder.begin(start('s2'));
    expect(await recorder.settled('s2', 50)).toBe(false);
  });

  it('writes one row for a request the proxy itself failed, saying so', async () => {
    const { store, recorder } = recorderOn(10);
    const record = recorder.begin(start('s3'));
    record.failed(new Error('no upstream for this route'));
    record.ended({ status: 499, reason: 'client aborted' });
    expect(await recorder.settled('s3', 5000)).toBe(true);
    const rows = await store.rows({ session: 's3' });
    expect(rows.map((row) => [row.status, row.error])).toEqual([
      [500, 'proxy error: no upstream for this route'],
    ]);
  });
});
