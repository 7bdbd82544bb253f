import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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
