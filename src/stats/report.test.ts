// The stats read model: totals, sessions, turns, the transform breakdown and the timeline, from rows.

import { describe, expect, it } from 'vitest';
import { requestRow } from '../../test/helpers/stats-rows.js';
import { filterRows } from '../store/filter.js';
import { toRequestRow } from '../store/rows.js';
import type { RequestRow } from '../store/types.js';
import { parseDuration } from './duration.js';
import { reportJson, toCsv } from './export.js';
import { formatMoney } from './format.js';
import {
  bucketSizeFor,
  buildReport,
  sessions,
  TimelineTally,
  timeline,
  totals,
  transformBreakdown,
  turns,
} from './report.js';
import { layoutTable } from './table.js';
import { renderText } from './text.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);

describe('stats report', () => {
  it('adds up tokens before and after compression into a saved share', () => {
    const t = totals([
      requestRow({ tokensBefore: 10_000, tokensAfter: 4_000 }),
      requestRow({ tokensBefore: 10_000, tokensAfter: 10_000, transforms: null }),
    ]);
    expect(t.requests).toBe(2);
    expect(t.tokensBefore).toBe(20_000);
    expect(t.tokensAfter).toBe(14_000);
    expect(t.tokensSaved).toBe(6_000);
    expect(t.savedShare).toBeCloseTo(0.3);
    expect(t.compressed).toBe(1);
  });

  it('values savings in money only for models with a price, and says how many were left out', () => {
    const t = totals([
      requestRow({ model: 'claude-sonnet-4-5', tokensBefore: 1_000_000, tokensAfter: 0, inputTokens: 0 }),
      requestRow({ model: 'llama-3-70b', tokensBefore: 1_000_000, tokensAfter: 0 }),
    ]);
    expect(t.moneySaved).toBeCloseTo(3);
    expect(t.unpriced).toBe(1);
    const unknownOnly = totals([requestRow({ model: 'llama-3-70b' })]);
    expect(unknownOnly.moneySaved).toBeUndefined();
    expect(formatMoney(unknownOnly.moneySaved)).toBe('—');
  });

  it('reports the share of the prompt read from the provider cache', () => {
    const t = totals([requestRow({ inputTokens: 1_000, cacheReadTokens: 3_000, cacheWriteTokens: 0 })]);
    expect(t.cacheReadShare).toBeCloseTo(0.75);
  });

  it('counts failed requests, retrievals and the requests in which the model retrieved', () => {
    const t = totals([
      requestRow({ status: 529, retrievals: 2, retrievedBytes: 900 }),
      requestRow({ error: 'upstream unreachable', status: 502 }),
      requestRow(),
    ]);
    expect(t.errors).toBe(2);
    expect(t.retrievals).toBe(2);
    expect(t.retrievedBytes).toBe(900);
    expect(t.retrievalRequests).toBe(1);
  });

  it('takes the middle and the 99th percentile of the time requests waited in the proxy', () => {
    const waits = Array.from({ length: 100 }, (_, i) => requestRow({ overheadMs: i + 1 }));
    const t = totals([...waits, requestRow({ overheadMs: null })]);
    expect(t.overheadP50Ms).toBe(51);
    expect(t.overheadP99Ms).toBe(100);
    expect(totals([requestRow({ overheadMs: null })]).overheadP50Ms).toBeUndefined();
  });

  it('groups requests into sessions, most recently active first, with requests without a session apart', () => {
    const rows = [
      requestRow({ sessionId: 'a', agent: 'claude', ts: T0 }),
      requestRow({ sessionId: 'b', agent: 'codex', project: 'api', ts: T0 + HOUR }),
      requestRow({ sessionId: 'a', agent: 'claude', ts: T0 + 2 * HOUR }),
      requestRow({ sessionId: null, agent: null, ts: T0 + 30 * 60_000 }),
    ];
    const list = sessions(rows);
    expect(list.map((s) => s.id)).toEqual(['a', 'b', null]);
    expect(list[0]).toMatchObject({ turns: 2, startedTs: T0, lastTs: T0 + 2 * HOUR, agent: 'claude' });
    expect(list[1]).toMatchObject({ agent: 'codex', project: 'api', turns: 1 });
  });

  it('lists a session’s turns newest first with their transforms and savings', () => {
    const rows = [
      requestRow({ sessionId: 'a', ts: T0, tokensBefore: 1000, tokensAfter: 250, transforms: { logs: 1 } }),
      requestRow({ sessionId: 'a', ts: T0 + 1000, tokensBefore: 500, tokensAfter: 500, transforms: null }),
      requestRow({ sessionId: 'b', ts: T0 + 2000 }),
    ];
    const list = turns(rows, 'a');
    expect(list.map((t) => t.ts)).toEqual([T0 + 1000, T0]);
    expect(list[1]).toMatchObject({ savedShare: 0.75, transforms: { logs: 1 } });
    expect(list[0]).toMatchObject({ savedShare: 0, transforms: {} });
  });

  it('breaks savings down by transform, most blocks first, a request’s savings split by its blocks', () => {
    const list = transformBreakdown([
      requestRow({ transforms: { json: 2, logs: 1 }, tokensBefore: 9_000, tokensAfter: 3_000 }),
      requestRow({ transforms: { logs: 4 }, tokensBefore: 10_000, tokensAfter: 4_000 }),
      requestRow({ transforms: null, tokensBefore: 500, tokensAfter: 500 }),
    ]);
    expect(list).toEqual([
      { name: 'logs', blocks: 5, requests: 2, tokensSaved: 8_000 },
      { name: 'json', blocks: 2, requests: 1, tokensSaved: 4_000 },
    ]);
  });

  it('buckets savings over time, keeping quiet hours as empty buckets', () => {
    const buckets = timeline(
      [
        requestRow({ ts: T0 + 5 * 60_000, tokensBefore: 100, tokensAfter: 50 }),
        requestRow({ ts: T0 + 3 * HOUR + 1, tokensBefore: 100, tokensAfter: 10 }),
      ],
      24,
    );
    expect(buckets.length).toBeGreaterThanOrEqual(4);
    expect(buckets.length).toBeLessThanOrEqual(24);
    expect(buckets[0]?.savedShare).toBeCloseTo(0.5);
    expect(buckets.at(-1)?.savedShare).toBeCloseTo(0.9);
    expect(buckets.slice(1, -1).every((b) => b.requests === 0)).toBe(true);
  });

  it('takes the trend a row at a time into the buckets the rows fall in, over minutes or years', () => {
    // The buckets by definition: each row in the bucket of its own time, from the first row to `until`.
    const byDefinition = (rows: RequestRow[], maxBuckets: number, until: number) => {
      const first = Math.min(...rows.map((row) => row.ts));
      const end = Math.max(until, ...rows.map((row) => row.ts));
      const size = bucketSizeFor(end - first + 1, maxBuckets);
      const start = Math.floor(first / size) * size;
      const sums = new Map<number, { requests: number; tokensBefore: number; tokensAfter: number }>();
      for (const row of rows) {
        const at = start + Math.floor((row.ts - start) / size) * size;
        const sum = sums.get(at) ?? { requests: 0, tokensBefore: 0, tokensAfter: 0 };
        sum.requests++;
        sum.tokensBefore += row.tokensBefore ?? 0;
        sum.tokensAfter += row.tokensAfter ?? 0;
        sums.set(at, sum);
      }
      const count = Math.floor((end - start) / size) + 1;
      return Array.from({ length: count }, (_, i) => start + i * size)
        .slice(-maxBuckets)
        .map((at) => ({
          start: at,
          end: at + size,
          ...(sums.get(at) ?? { requests: 0, tokensBefore: 0, tokensAfter: 0 }),
        }));
    };
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (const spanMs of [3 * HOUR, 3 * 24 * HOUR, 400 * 24 * HOUR, 3 * 365 * 24 * HOUR]) {
      const rows = Array.from({ length: 2_000 }, () =>
        requestRow({
          ts: T0 + Math.floor(next() * spanMs),
          tokensBefore: 1_000,
          tokensAfter: Math.floor(next() * 1_000),
        }),
      );
      for (const maxBuckets of [1, 24, 60]) {
        const until = T0 + spanMs + HOUR;
        const tally = new TimelineTally(maxBuckets);
        for (const row of rows) tally.add(row);
        const buckets = tally.buckets(until);
        expect(buckets.map(({ savedShare: _, ...bucket }) => bucket)).toEqual(
          byDefinition(rows, maxBuckets, until),
        );
        // Every row at or after the first bucket shown is counted once.
        const shownFrom = buckets[0]?.start ?? 0;
        expect(buckets.reduce((sum, bucket) => sum + bucket.requests, 0)).toBe(
          rows.filter((row) => row.ts >= shownFrom).length,
        );
        expect(timeline(rows, maxBuckets, until)).toEqual(buckets);
      }
    }
  });

  it('filters by time, agent, session, project and free text over agent, project and model', () => {
    const rows = [
      requestRow({
        ts: T0,
        agent: 'claude',
        project: 'webshop',
        model: 'claude-sonnet-4-5',
        sessionId: 's1',
      }),
      requestRow({ ts: T0 + HOUR, agent: 'codex', project: 'api', model: 'gpt-5', sessionId: 's2' }),
    ];
    expect(filterRows(rows, { since: T0 + 1 }).map((r) => r.agent)).toEqual(['codex']);
    expect(filterRows(rows, { agent: 'claude' })).toHaveLength(1);
    expect(filterRows(rows, { session: 's2' }).map((r) => r.model)).toEqual(['gpt-5']);
    expect(filterRows(rows, { project: 'api' })).toHaveLength(1);
    expect(filterRows(rows, { text: 'GPT' }).map((r) => r.agent)).toEqual(['codex']);
    expect(filterRows(rows, { text: 'shop' }).map((r) => r.agent)).toEqual(['claude']);
  });
});

describe('durations for --since', () => {
  it('reads minutes, hours, days, weeks and combinations', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('24h')).toBe(24 * HOUR);
    expect(parseDuration('7d')).toBe(7 * 24 * HOUR);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('2w')).toBe(14 * 24 * HOUR);
  });

  it('rejects what it cannot read with a message naming the accepted forms', () => {
    for (const bad of ['', '24', 'yesterday', '5x', '1h junk']) {
      expect(() => parseDuration(bad)).toThrow(/use e\.g\. 30m, 24h, 7d/);
    }
  });
});

describe('rows from the wire', () => {
  it('reads a SQLite row with snake_case columns and JSON transforms', () => {
    const row = toRequestRow({
      id: 7,
      ts: T0,
      provider: 'openai',
      model: 'gpt-5',
      method: 'POST',
      path: '/v1/responses',
      status: 200,
      stream: 1,
      tokens_before: 900,
      tokens_after: 300,
      transforms: '{"json":3}',
      cache_read_tokens: 40,
      session_id: 'x',
      retrievals: 1,
      retrieved_bytes: 120,
    });
    expect(row).toMatchObject({
      id: 7,
      stream: true,
      tokensBefore: 900,
      tokensAfter: 300,
      transforms: { json: 3 },
      cacheReadTokens: 40,
      sessionId: 'x',
      retrievals: 1,
    });
  });

  it('reads a camelCase stream event and rejects objects that are not requests', () => {
    expect(
      toRequestRow({ id: 1, ts: T0, provider: 'anthropic', tokensBefore: 5, sessionId: 's' }),
    ).toMatchObject({
      tokensBefore: 5,
      sessionId: 's',
    });
    expect(toRequestRow({ hello: 'world' })).toBeUndefined();
    expect(toRequestRow('{"id":1}')).toBeUndefined();
  });
});

describe('stats as data', () => {
  const rows = [
    requestRow({ id: 101, ts: T0, sessionId: 's1', error: 'client aborted, "early"' }),
    requestRow({ id: 102, ts: T0 + 1000, sessionId: 's1', model: 'mystery-model' }),
  ];

  it('writes one CSV line per request with a header and RFC 4180 quoting', () => {
    const lines = toCsv(rows).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,time,agent,session_id,project,provider,model,/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"client aborted, ""early"""');
    expect(lines[1]).toContain('"{""json"":2,""logs"":1}"');
    const header = lines[0]!.split(',');
    const saved = lines[2]!.split(',')[header.indexOf('saved_usd')];
    expect(saved).toBe('');
  });

  it('gives JSON with ISO times, null for unknown money and the turns of a chosen session', () => {
    const report = buildReport(rows, { session: 's1', since: T0 - HOUR }, T0 + HOUR);
    const json = reportJson(report, turns(rows, 's1'));
    expect(json.window.since).toBe(new Date(T0 - HOUR).toISOString());
    expect(json.filters).toEqual({ session: 's1' });
    expect(json.totals.requests).toBe(2);
    expect(json.sessions[0]?.startedAt).toBe(new Date(T0).toISOString());
    expect(json.turns?.[0]).toMatchObject({ model: 'mystery-model', moneySaved: null });
    expect(json.turns?.[1]?.moneySaved).toBeGreaterThan(0);
  });

  it('prints a plain table with the totals, the sessions and the price note', () => {
    const text = renderText(buildReport(rows, {}, T0 + HOUR), { windowLabel: 'all time' });
    expect(text).toContain('requests     2 (1 failed)');
    expect(text).toMatch(/input\s+20k → 8\.0k \(60% saved\)/);
    expect(text).toContain('SESSIONS');
    expect(text).toMatch(/claude\s+webshop/);
    expect(text).toContain('prices as of');
  });
});

describe('table layout', () => {
  const columns = [
    { title: 'NAME', value: (r: { name: string; n: number }) => r.name, min: 4, priority: 3, flex: true },
    {
      title: 'COUNT',
      value: (r: { name: string; n: number }) => String(r.n),
      align: 'right' as const,
      min: 5,
      priority: 2,
    },
    { title: 'NOTE', value: () => 'a rather long note', min: 6, priority: 1 },
  ];
  const rows = [{ name: 'a-very-long-session-name', n: 12 }];

  it('fits every line into the width, dropping the least important column first', () => {
    const wide = layoutTable(columns, rows, 80);
    expect(wide.header).toContain('NOTE');
    const narrow = layoutTable(columns, rows, 16);
    expect(narrow.header).not.toContain('NOTE');
    expect(narrow.header).toContain('COUNT');
    for (const line of [narrow.header, ...narrow.lines]) expect(line.length).toBeLessThanOrEqual(16);
    expect(narrow.lines[0]).toContain('…');
  });
});
