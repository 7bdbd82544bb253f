// `headroom learn` as a user runs it: the built CLI in a private HOME holding session logs.

import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureHome } from '../src/learn/fixtures.js';
import { openStatsStore } from '../src/store/index.js';
import { root, runHeadroom, tempDir } from './helpers/wrap.js';

const learn = (args: string[], home: string, cwd: string) =>
  runHeadroom(
    ['learn', ...args],
    {
      PATH: process.env.PATH,
      HOME: home,
      HEADROOM_CACHE_DIR: join(home, 'cache'),
      HEADROOM_CONFIG_DIR: join(home, 'config'),
    },
    { cwd },
  );

describe('headroom learn', () => {
  it('prints the change as a diff and writes nothing by default', async () => {
    const { home, project } = fixtureHome(['claude']);
    const result = await learn([], home, project);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`+++ ${join(project, 'CLAUDE.md')}`);
    expect(result.stdout).toContain(
      '+- Run `npm test`, not `pnpm test`: `pnpm` is not installed here. (2 times in 2 sessions)',
    );
    expect(result.stdout).toContain('headroom: 2 sessions in 2 logs, 6 rules for 1 project');
    expect(result.stdout).toContain('dry run; `headroom learn --apply` writes');
    expect(existsSync(join(project, 'CLAUDE.md'))).toBe(false);
    expect(result.stderr).toMatch(/headroom: skipped 1 unreadable line in \S+5f0c2a1e\S+\.jsonl \(line 14\)/);
  });

  it('writes with --apply, keeps a backup, and changes nothing on the next run', async () => {
    const { home, project } = fixtureHome(['claude', 'codex']);
    writeFileSync(join(project, 'AGENTS.md'), '# Agents\n\nBe brief.\n');
    const first = await learn(['--apply'], home, project);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain(`wrote ${join(project, 'CLAUDE.md')}\n`);
    expect(first.stdout).toContain(
      `wrote ${join(project, 'AGENTS.md')} (backup: ${join(project, 'AGENTS.md.headroom-learn.bak')})`,
    );
    expect(readFileSync(join(project, 'AGENTS.md.headroom-learn.bak'), 'utf8')).toBe(
      '# Agents\n\nBe brief.\n',
    );
    const agents = readFileSync(join(project, 'AGENTS.md'), 'utf8');
    expect(agents.startsWith('# Agents\n\nBe brief.\n\n<!-- headroom:learn:start -->\n')).toBe(true);
    const second = await learn(['--apply'], home, project);
    expect(second.stdout).toContain('headroom: nothing to change');
    expect(readFileSync(join(project, 'AGENTS.md'), 'utf8')).toBe(agents);
  });

  it('prints the rules as JSON with --json, for one agent with --agent', async () => {
    const { home, project } = fixtureHome(['claude', 'gemini']);
    const result = await learn(['--json', '--agent', 'gemini', '--project', project], home, root);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.applied).toBe(false);
    expect(out.projects).toHaveLength(1);
    expect(out.projects[0].files).toEqual([
      { agent: 'gemini', file: join(project, 'GEMINI.md'), changed: true },
    ]);
    expect(out.projects[0].rules[1]).toMatchObject({
      key: 'instead:pnpm test=>npm test',
      section: 'Commands',
      evidence: 2,
      sessions: 2,
      agents: ['gemini'],
    });
    expect(out.projects[0].rules[1].wastedTokensPerSession).toBeGreaterThan(0);
  });

  it('learns for every project the logs name with --all', async () => {
    const { home, project } = fixtureHome(['codex']);
    const result = await learn(['--all', '--json'], home, root);
    expect(JSON.parse(result.stdout).projects.map((p: { project: string }) => p.project)).toEqual([project]);
  });

  it('suggests a headroom setting from the stats of the project, where the model kept retrieving', async () => {
    const { home, project } = fixtureHome(['claude']);
    // Written through the store the proxy writes with: logs compression in 8 agent turns of this project, 4
    // of which read an original back; elsewhere, retrievals that are no business of this project.
    const store = await openStatsStore({ cacheDir: join(home, 'cache') });
    const turn = (retrievals: number, where = project) => ({
      ts: Date.UTC(2026, 10, 30),
      provider: 'anthropic',
      method: 'POST',
      path: '/v1/messages',
      status: 200,
      agent: 'claude',
      project: where,
      transforms: { logs: 1 },
      retrievals,
    });
    const rows = [
      ...[1, 1, 1, 1, 0, 0, 0, 0].map((retrievals) => turn(retrievals)),
      ...[1, 1, 1].map((retrievals) => turn(retrievals, '/elsewhere')),
    ];
    await Promise.all(rows.map((row) => store.record(row)));
    await store.close();
    const result = await learn(['--json'], home, project);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).suggestions).toEqual([
      expect.objectContaining({
        transform: 'logs',
        requests: 8,
        retrieved: 4,
        command: 'headroom config set disableTransforms logs',
      }),
    ]);
    const text = await learn([], home, project);
    expect(text.stdout).toContain(
      'headroom: the model asked for the original after logs compression in 4 of 8 requests: consider switching it off (`headroom config set disableTransforms logs`)',
    );
  });

  it('exits 2 with one line for a project directory that does not exist', async () => {
    const { home } = fixtureHome(['claude']);
    const result = await learn(['--project', '/nonexistent/headroom-project'], home, root);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe('headroom: no such project directory: /nonexistent/headroom-project');
  });

  it('exits 1 with one line when the instructions file has a damaged block', async () => {
    const { home, project } = fixtureHome(['claude']);
    writeFileSync(join(project, 'CLAUDE.md'), '<!-- headroom:learn:end -->\n<!-- headroom:learn:start -->\n');
    const result = await learn(['--apply'], home, project);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('has a damaged headroom learn block');
  });
});

describe('headroom learn on a 200 MB session log', () => {
  const dir = tempDir('learn-big');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams it in bounded memory and still finds every planted recovery', () => {
    const project = join(dir, 'project');
    mkdirSync(project, { recursive: true });
    const logs = join(dir, 'home', '.claude', 'projects', '-project');
    mkdirSync(logs, { recursive: true });
    const fd = openSync(join(logs, 'b16b16b1-0000-4000-8000-000000000000.jsonl'), 'w');
    const output = 'x'.repeat(4000);
    const line = (type: string, content: unknown) =>
      `${JSON.stringify({ type, cwd: project, sessionId: 'b16b16b1-0000-4000-8000-000000000000', message: { role: type, content } })}\n`;
    let bytes = 0;
    let planted = 0;
    for (let i = 0; bytes < 200 * 1024 * 1024; i++) {
      const fails = i % 100 === 0;
      const command = fails ? 'pnpm test' : i % 100 === 1 ? 'npm test' : `cat file-${i}.txt`;
      const use = line('assistant', [{ type: 'tool_use', id: `t${i}`, name: 'Bash', input: { command } }]);
      const result = line('user', [
        fails
          ? {
              type: 'tool_result',
              tool_use_id: `t${i}`,
              is_error: true,
              content: 'Exit code 127\npnpm: command not found',
            }
          : { type: 'tool_result', tool_use_id: `t${i}`, content: output },
      ]);
      const chunk = use + result;
      writeSync(fd, chunk);
      bytes += Buffer.byteLength(chunk);
      if (fails) planted++;
    }
    closeSync(fd);
    // The child samples its own heap as it reads; an old-space cap far below the log's size makes buffering fatal.
    const script = `
      import { planLearning } from ${JSON.stringify(join(root, 'dist', 'learn', 'index.js'))};
      let peak = 0;
      const sample = () => { peak = Math.max(peak, process.memoryUsage().heapUsed); };
      const plan = await planLearning({ env: { HOME: ${JSON.stringify(join(dir, 'home'))} }, project: ${JSON.stringify(project)}, day: '2026-12-01', onProgress: sample });
      sample();
      console.log(JSON.stringify({ peak, rules: plan.projects[0].rules }));
    `;
    const out = execFileSync(
      process.execPath,
      ['--max-old-space-size=96', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    const { peak, rules } = JSON.parse(out);
    expect(rules).toEqual([
      expect.objectContaining({ key: 'instead:pnpm test=>npm test', evidence: planted, sessions: 1 }),
    ]);
    expect(peak).toBeLessThan(48 * 1024 * 1024);
  }, 300_000);
});
