import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { markerIds } from '../src/compress/marker.js';
import { openStatsStore } from '../src/store/index.js';
import type { NewRequestRow } from '../src/store/types.js';
import { anthropicConversation, turnsFor } from './helpers/conversation.js';
import { answer, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy, waitForRows } from './helpers/proxy.js';
import { realOutput } from './helpers/real-outputs.js';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', 'bin', 'run.js');

interface PerfJson {
  items: Array<{
    name: string;
    tokensBefore: number;
    tokensAfter: number;
    needles: number;
    needlesKept: number;
  }>;
  totals: Array<{ category: string; reduction: number; retention: number; headCutRetention: number }>;
  speed: Array<{ label: string; mbPerSecond: number }>;
}

describe('headroom perf', () => {
  it('measures a file with its sidecar: tokens saved and every needle kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-perf-'));
    const { name, text, ...sidecar } = realOutput('log-express-debug');
    writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, `${name}.meta.json`), JSON.stringify(sidecar));
    const { stdout } = await run(process.execPath, [bin, 'perf', join(dir, name), '--json', '--no-speed']);
    const figures = JSON.parse(stdout) as PerfJson;
    expect(figures.items).toHaveLength(1);
    const [item] = figures.items;
    expect(item?.tokensAfter).toBeLessThan((item?.tokensBefore ?? 0) * 0.3);
    expect(item?.needles).toBeGreaterThan(0);
    expect(item?.needlesKept).toBe(item?.needles);
    expect(figures.totals.find((t) => t.category === 'logs')?.reduction).toBeGreaterThan(0.7);
    expect(figures.speed).toEqual([]);
  });

  it('measures a folder of plain files without sidecars and reports speed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-perf-'));
    const lines = Array.from(
      { length: 3000 },
      (_, i) => `2026-11-25 10:${String(i % 60).padStart(2, '0')}:00 INFO worker ${i} done in ${i % 97} ms`,
    );
    writeFileSync(
      join(dir, 'worker.log'),
      `${lines.join('\n')}\n2026-11-25 11:00:00 ERROR worker 17 crashed\n`,
    );
    const { stdout } = await run(process.execPath, [bin, 'perf', dir]);
    expect(stdout).toMatch(/^logs\s+1\s+\d+\s+\d+\s+\d+\.\d%/m);
    expect(stdout).toMatch(/^logs\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
  });

  it('tells what each file holds from its content, whatever its name, and sets headroom against a cut at the head', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-perf-'));
    for (const name of ['log-express-debug', 'json-npm-query-root-deps']) {
      const { text, ...sidecar } = realOutput(name);
      writeFileSync(join(dir, `${name}.txt`), text);
      writeFileSync(join(dir, `${name}.txt.meta.json`), JSON.stringify({ ...sidecar, category: undefined }));
    }
    const { stdout } = await run(process.execPath, [bin, 'perf', dir, '--json', '--no-speed']);
    const figures = JSON.parse(stdout) as PerfJson;
    expect(figures.totals.map((t) => t.category)).toEqual(['json', 'logs', 'overall']);
    const overall = figures.totals.find((t) => t.category === 'overall');
    expect(overall?.retention).toBe(1);
    expect(overall?.headCutRetention).toBeLessThan(1);
  });

  it('writes the figures as one self-contained HTML page with --html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-perf-'));
    const { name, text, ...sidecar } = realOutput('log-express-debug');
    writeFileSync(join(dir, `${name}<&>.log`), text);
    writeFileSync(join(dir, `${name}<&>.log.meta.json`), JSON.stringify(sidecar));
    const page = join(dir, 'report.html');
    const { stdout } = await run(process.execPath, [bin, 'perf', dir, '--no-speed', '--html', page]);
    expect(stdout).toContain(`report: ${page}`);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<th>logs</th>');
    expect(html).toContain(`${name}&lt;&amp;&gt;.log`);
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it('names a path it cannot read in one line and exits 1', async () => {
    const failure = await run(process.execPath, [bin, 'perf', '/no/such/place']).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim()).toBe('headroom: cannot read /no/such/place: ENOENT');
  });
});

interface LiveTotals {
  requests: number;
  errors: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  savedShare: number;
  moneySaved: number | null;
  retrievals: number;
  retrievalRequests: number;
  overheadP50Ms: number | null;
  overheadP99Ms: number | null;
}

interface LiveJson {
  window: { since: string | null; until: string };
  totals: LiveTotals;
  retrievalRate: number;
  byDay: Array<{ key: string; totals: LiveTotals }>;
  byAgent: Array<{ key: string; totals: LiveTotals }>;
  byModel: Array<{ key: string; totals: LiveTotals }>;
  byTransform: Array<{ name: string; blocks: number; requests: number; tokensSaved: number }>;
}

/** `headroom perf --live …args` on the stats store in `cacheDir`, with no config file of the machine's. */
function live(cacheDir: string, args: string[] = []) {
  return run(process.execPath, [bin, 'perf', '--live', ...args], {
    env: {
      ...process.env,
      HEADROOM_CACHE_DIR: cacheDir,
      HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-perf-config-')),
      NO_COLOR: '1',
    },
  });
}

const liveJson = async (cacheDir: string, args: string[] = []) =>
  JSON.parse((await live(cacheDir, [...args, '--json'])).stdout) as LiveJson;

describe('headroom perf --live, from the rows in the stats store', () => {
  const HOUR = 3_600_000;
  const now = Date.now();
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'headroom-perf-live-'));
    const row = (overrides: Partial<NewRequestRow>): NewRequestRow => ({
      ts: now - HOUR,
      provider: 'anthropic',
      method: 'POST',
      path: '/v1/messages',
      status: 200,
      model: 'claude-sonnet-4-5',
      agent: 'claude',
      tokensBefore: 10_000,
      tokensAfter: 4_000,
      inputTokens: 4_000,
      outputTokens: 500,
      transforms: { logs: 1 },
      ...overrides,
    });
    // Written through the store the proxy writes with: three Claude Code requests in the last hour (one of
    // which read an original back, one that nothing shortened), one Codex request two days before.
    const store = await openStatsStore({ cacheDir });
    for (const written of [
      row({ overheadMs: 1 }),
      row({ overheadMs: 2, retrievals: 2, retrievedBytes: 900, transforms: { logs: 1, json: 1 } }),
      row({ overheadMs: 3, tokensBefore: 2_000, tokensAfter: 2_000, transforms: undefined }),
      row({
        ts: now - 50 * HOUR,
        provider: 'openai',
        path: '/v1/responses',
        model: 'gpt-4o',
        agent: 'codex',
        overheadMs: 90,
        tokensBefore: 20_000,
        tokensAfter: 5_000,
        transforms: { json: 3 },
      }),
    ]) {
      void store.record(written);
    }
    await store.close();
  });

  it('totals what the recorded requests saved, the proxy’s wait and how often the model retrieved', async () => {
    const figures = await liveJson(cacheDir);
    expect(figures.window.since).toBeNull();
    expect(figures.totals).toMatchObject({
      requests: 4,
      errors: 0,
      tokensBefore: 42_000,
      tokensAfter: 15_000,
      tokensSaved: 27_000,
      retrievals: 2,
      retrievalRequests: 1,
      overheadP50Ms: 3,
      overheadP99Ms: 90,
    });
    expect(figures.totals.savedShare).toBeCloseTo(27 / 42);
    expect(figures.totals.moneySaved).toBeGreaterThan(0);
    expect(figures.retrievalRate).toBe(0.25);
  });

  it('breaks the savings down by day, agent, model and transform', async () => {
    const figures = await liveJson(cacheDir);
    const requests = (groups: LiveJson['byDay']) => groups.map((g) => [g.key, g.totals.requests]);
    expect(figures.byDay.map((g) => g.totals.requests)).toEqual([1, 3]);
    expect(figures.byDay.every((g) => /^\d{4}-\d{2}-\d{2}$/.test(g.key))).toBe(true);
    expect(requests(figures.byAgent)).toEqual([
      ['claude', 3],
      ['codex', 1],
    ]);
    expect(requests(figures.byModel)).toEqual([
      ['claude-sonnet-4-5', 3],
      ['gpt-4o', 1],
    ]);
    expect(figures.byAgent[1]!.totals).toMatchObject({ tokensSaved: 15_000, overheadP50Ms: 90 });
    // The request both shortened splits its 6,000 tokens saved between them.
    expect(figures.byTransform).toEqual([
      { name: 'json', blocks: 4, requests: 2, tokensSaved: 18_000 },
      { name: 'logs', blocks: 2, requests: 2, tokensSaved: 9_000 },
    ]);
  });

  it('keeps only the requests inside --since', async () => {
    const figures = await liveJson(cacheDir, ['--since', '24h']);
    expect(figures.window.since).not.toBeNull();
    expect(figures.totals).toMatchObject({ requests: 3, overheadP99Ms: 3, retrievalRequests: 1 });
    expect(figures.byAgent.map((g) => g.key)).toEqual(['claude']);
  });

  it('prints the same figures as text when not asked for JSON', async () => {
    const { stdout } = await live(cacheDir);
    expect(stdout).toMatch(/^headroom perf --live: all time/);
    expect(stdout).toMatch(/^requests\s+4$/m);
    expect(stdout).toMatch(/^input\s+42k → 15k tokens \(64% saved\), \$[\d.]+ saved of \$[\d.]+ billed$/m);
    expect(stdout).toMatch(/^overhead\s+3\.0 ms \/ 90\.0 ms /m);
    expect(stdout).toMatch(/^retrieval\s+25% of requests \(1\): the model called headroom_retrieve 2 times/m);
    for (const title of ['BY DAY', 'BY AGENT', 'BY MODEL', 'BY TRANSFORM']) {
      expect(stdout).toMatch(new RegExp(`^${title}$`, 'm'));
    }
    expect(stdout).toMatch(/^claude\s+3\s+22k→10k\s+55%/m);
    expect(stdout).toMatch(/^json\s+4\s+2\s+18k$/m);
  });

  it('says so when nothing is recorded yet', async () => {
    const { stdout } = await live(mkdtempSync(join(tmpdir(), 'headroom-perf-empty-')));
    expect(stdout).toContain('no requests recorded yet');
  });

  it('asks for files or --live when given neither, and exits 2', async () => {
    const failure = await run(process.execPath, [bin, 'perf']).catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr.trim()).toBe(
      'headroom: name the files or folders of tool outputs to measure, or pass --live',
    );
  });
});

describe('headroom perf --live, from the real proxy', () => {
  it('reports a compressed request and one whose model read the original back', async () => {
    const upstream = await startFakeUpstream();
    const proxy = await startTestProxy(upstream.url);
    try {
      const log = realOutput('log-express-debug');
      const claude = new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 });
      const params = {
        model: 'claude-sonnet-4-6',
        max_tokens: 512,
        tools: [{ name: 'Bash', input_schema: { type: 'object' as const, properties: {} } }],
        messages: [
          ...(anthropicConversation(turnsFor([log])) as Anthropic.MessageParam[]),
          { role: 'user' as const, content: log.question },
        ],
      };
      await claude.messages.create(params);
      // The second time the model reads the original back before it answers.
      upstream.script((req) => {
        const body = req.body.toString('utf8');
        if (body.includes('"toolu_hr_1"')) return answer(req, { text: 'The log shows the failing route.' });
        const id = markerIds(body)[0]!;
        return answer(req, { toolCall: { id: 'toolu_hr_1', name: 'headroom_retrieve', input: { id } } });
      });
      await claude.messages.create(params);
      await waitForRows(proxy, 2);
    } finally {
      await proxy.close(0);
      await upstream.close();
    }
    const figures = await liveJson(proxy.store.location.replace(/[/\\]stats\.db$/, ''));
    expect(figures.totals).toMatchObject({ requests: 2, retrievalRequests: 1, retrievals: 1 });
    expect(figures.retrievalRate).toBe(0.5);
    expect(figures.totals.tokensSaved).toBeGreaterThan(figures.totals.tokensBefore * 0.5);
    expect(figures.totals.overheadP50Ms).toBeGreaterThanOrEqual(0);
    expect(figures.byTransform.map((t) => t.name)).toContain('logs');
    expect(figures.byModel.map((g) => g.key)).toEqual(['claude-sonnet-4-6']);
  });
});
