import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_END, BLOCK_START, BrokenBlockError, backupOf, writeAtomically } from './block.js';
import { fixtureHome } from './fixtures.js';
import { applyPlan, type LearnOptions, type LogWarning, planLearning } from './index.js';
import { redactSecrets } from './redact.js';

const DAY = '2026-12-01';

async function plan(agent: string, extra: Partial<LearnOptions> = {}) {
  const fixture = fixtureHome([agent]);
  const warnings: LogWarning[] = [];
  const options = {
    env: fixture.env,
    project: fixture.project,
    day: DAY,
    onWarning: (w: LogWarning) => warnings.push(w),
    ...extra,
  };
  const result = await planLearning(options);
  return { fixture, warnings, result, options };
}

const summary = (rules: { key: string; section: string; evidence: number; sessions: number }[]) =>
  rules.map(({ key, section, evidence, sessions }) => ({ key, section, evidence, sessions }));

// Each agent's fixtures hold the same two sessions in its own log format: `pnpm test` where only npm is
// installed (both sessions), a read of a path that is not there then the right one, a build that needs
// `npm install` first, `curl` failing three times in a row, `git log -n 20` then `-n 200`, `make deploy`
// failing with nothing after it (both sessions), a call the user refused, successful noise, and a line cut
// off mid-object.
const SHARED = [
  { key: 'fails:command:make deploy', section: 'Known failures', evidence: 2, sessions: 2 },
  { key: 'instead:pnpm test=>npm test', section: 'Commands', evidence: 2, sessions: 2 },
  { key: 'before:npm install=>npm run build', section: 'Commands', evidence: 1, sessions: 1 },
];
const LOOPS = [
  { key: 'loop:command:curl -sf http://localhost:9999/health', section: 'Loops', evidence: 1, sessions: 1 },
];
const READ_PATH = {
  key: 'path:src/index.ts=>packages/core/src/index.ts',
  section: 'Paths',
  evidence: 1,
  sessions: 1,
};
const REFETCH = { key: 'refetch:command:git log --oneline -n #', section: 'Loops', evidence: 1, sessions: 1 };

describe('headroom learn on each agent’s session logs', () => {
  it('finds exactly the planted lessons in Claude Code transcripts', async () => {
    const { result } = await plan('claude');
    expect(result.projects).toHaveLength(1);
    expect(summary(result.projects[0]!.rules)).toEqual([...SHARED, ...LOOPS, READ_PATH, REFETCH]);
    expect(result.sessions).toBe(2);
  });

  it('finds exactly the planted lessons in Codex rollouts, where a file is read with cat', async () => {
    const { result } = await plan('codex');
    const catPath = {
      key: 'instead:cat src/index.ts=>cat packages/core/src/index.ts',
      section: 'Commands',
      evidence: 1,
      sessions: 1,
    };
    expect(summary(result.projects[0]!.rules)).toEqual([...SHARED, catPath, ...LOOPS, REFETCH]);
  });

  it('finds exactly the planted lessons in Gemini CLI chats, counting a message written twice once', async () => {
    const { result } = await plan('gemini');
    expect(summary(result.projects[0]!.rules)).toEqual([...SHARED, ...LOOPS, READ_PATH, REFETCH]);
  });

  it('groups the same lesson from several agents into one rule', async () => {
    const fixture = fixtureHome(['claude', 'codex']);
    const result = await planLearning({ env: fixture.env, project: fixture.project, day: DAY });
    const npm = result.projects[0]!.rules.find((rule) => rule.key === 'instead:pnpm test=>npm test');
    expect(npm).toMatchObject({ evidence: 4, sessions: 4, agents: ['claude', 'codex'] });
    expect(result.projects[0]!.targets.map((t) => t.file)).toEqual([
      join(fixture.project, 'CLAUDE.md'),
      join(fixture.project, 'AGENTS.md'),
    ]);
  });

  it('skips the corrupt line with a warning naming its file and line, and reads the rest', async () => {
    for (const agent of ['claude', 'codex', 'gemini']) {
      const { warnings, result } = await plan(agent);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.reason).toBe('not JSON');
      expect(readFileSync(warnings[0]!.file, 'utf8').split('\n')[warnings[0]!.line - 1]).not.toMatch(/}\s*$/);
      expect(result.skippedLines).toBe(1);
    }
  });

  it('writes the block a person can read: sections, evidence, the date', async () => {
    const { result } = await plan('claude');
    const after = result.projects[0]!.targets[0]!.after!;
    expect(after).toContain(
      `${BLOCK_START}\n## Learned from past sessions\n\nUpdated by \`headroom learn\` on ${DAY}.`,
    );
    expect(after).toContain(
      '- Run `npm test`, not `pnpm test`: `pnpm` is not installed here. (2 times in 2 sessions)',
    );
    expect(after).toContain(
      '- `src/index.ts` does not exist; the file is `packages/core/src/index.ts`. (1 time in 1 session)',
    );
    expect(after.endsWith(`${BLOCK_END}\n`)).toBe(true);
  });

  it('learns nothing for a project the logs do not name', async () => {
    const { result } = await plan('claude', { project: dirname(import.meta.dirname) });
    expect(result.projects).toEqual([]);
  });

  it('caps the block at --max-rules, keeping the strongest', async () => {
    const { result } = await plan('claude', { maxRules: 2 });
    expect(result.projects[0]!.rules.map((r) => r.key)).toEqual([
      'fails:command:make deploy',
      'instead:pnpm test=>npm test',
    ]);
  });

  it('writes CLAUDE.local.md with local', async () => {
    const { result, fixture } = await plan('claude', { local: true });
    expect(result.projects[0]!.targets[0]!.file).toBe(join(fixture.project, 'CLAUDE.local.md'));
  });
});

describe('the managed block in the instructions file', () => {
  it('changes nothing outside the markers', async () => {
    const { fixture, options } = await plan('claude');
    const file = join(fixture.project, 'CLAUDE.md');
    const before = '# Project\n\nUse tabs.\n\n';
    const after = '\n\n## Notes\n\nKeep this.   \nNo trailing newline';
    writeFileSync(file, `${before}${BLOCK_START}\nold rules\n${BLOCK_END}${after}`);
    applyPlan(await planLearning(options));
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`${before}${BLOCK_START}\n## Learned`)).toBe(true);
    expect(text.endsWith(`${BLOCK_END}${after}`)).toBe(true);
    expect(text).not.toContain('old rules');
  });

  it('appends the block after what the file holds when it has none', async () => {
    const { fixture, options } = await plan('claude');
    const file = join(fixture.project, 'CLAUDE.md');
    writeFileSync(file, '# Project\nUse tabs.');
    applyPlan(await planLearning(options));
    expect(readFileSync(file, 'utf8').startsWith(`# Project\nUse tabs.\n\n${BLOCK_START}\n`)).toBe(true);
  });

  it('leaves the file byte-identical on a second run with nothing new, even on a later day', async () => {
    const { fixture, options } = await plan('claude');
    applyPlan(await planLearning(options));
    const file = join(fixture.project, 'CLAUDE.md');
    const first = readFileSync(file);
    const again = await planLearning({ ...options, day: '2027-01-15' });
    expect(again.projects[0]!.targets.every((t) => !t.changed)).toBe(true);
    expect(applyPlan(again)).toEqual([]);
    expect(readFileSync(file).equals(first)).toBe(true);
  });

  it('updates a rule in place, with the new date, when new evidence comes', async () => {
    const { fixture, options } = await plan('claude');
    applyPlan(await planLearning(options));
    const logs = join(fixture.home, '.claude', 'projects', '-project');
    const [second] = readdirSync(logs).filter((name) => name.startsWith('a83e'));
    const copy = readFileSync(join(logs, second!), 'utf8').replaceAll(
      'a83e6b27-1f94-4d05-b2c8-3e6f9d1a0b72',
      'c0ffee00-1111-4222-8333-444455556666',
    );
    writeFileSync(join(logs, 'c0ffee00-1111-4222-8333-444455556666.jsonl'), copy);
    applyPlan(await planLearning({ ...options, day: '2026-12-09' }));
    const text = readFileSync(join(fixture.project, 'CLAUDE.md'), 'utf8');
    expect(text).toContain('on 2026-12-09.');
    expect(text).toContain('not `pnpm test`: `pnpm` is not installed here. (3 times in 3 sessions)');
    expect(text.match(/pnpm test/g)).toHaveLength(1);
  });

  it('refuses a file with a damaged block and names the fix', async () => {
    const { fixture, options } = await plan('claude');
    writeFileSync(join(fixture.project, 'CLAUDE.md'), `${BLOCK_START}\nno end marker\n`);
    await expect(planLearning(options)).rejects.toThrow(BrokenBlockError);
    await expect(planLearning(options)).rejects.toThrow(/needs one .* line followed by one .* line/);
  });

  it('writes by renaming a finished file over the old one, keeping a backup and the mode, leaving no temporary file', () => {
    const { project } = fixtureHome([]);
    const file = join(project, 'AGENTS.md');
    writeFileSync(file, 'old\n', { mode: 0o640 });
    const inode = statSync(file).ino;
    const { backup } = writeAtomically(file, 'new\n');
    expect(backup).toBe(backupOf(file));
    expect(readFileSync(backupOf(file), 'utf8')).toBe('old\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).ino).not.toBe(inode);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(project).sort()).toEqual(['AGENTS.md', 'AGENTS.md.headroom-learn.bak']);
  });

  it('says which file it could not write, and leaves no temporary file behind', () => {
    const { project } = fixtureHome([]);
    const file = join(project, 'missing-dir', 'AGENTS.md');
    expect(() => writeAtomically(file, 'new\n')).toThrow(/cannot write .*AGENTS\.md/);
    expect(readdirSync(project)).toEqual([]);
  });
});

describe('what goes into committed files', () => {
  it('blanks secrets in commands, keeping what names them', () => {
    expect(redactSecrets('curl -H "Authorization: Bearer abcdef1234567890" https://x')).toBe(
      'curl -H "Authorization: Bearer ***" https://x',
    );
    expect(redactSecrets('OPENAI_API_KEY=sk-proj-abcdefghijk123 npm test')).toBe(
      'OPENAI_API_KEY=*** npm test',
    );
    expect(redactSecrets('git clone https://me:hunter2@github.com/a/b')).toBe(
      'git clone https://me:***@github.com/a/b',
    );
    expect(redactSecrets('gh auth --token ghp_0123456789abcdefghij')).toBe('gh auth --token ***');
    expect(redactSecrets('npm test -- --grep foo')).toBe('npm test -- --grep foo');
  });
});

describe('where the logs are looked for', () => {
  it('reads Gemini CLI chats under GEMINI_CLI_HOME/.gemini, as Gemini CLI writes them there', async () => {
    const fixture = fixtureHome(['gemini']);
    const result = await planLearning({
      env: { HOME: '/nonexistent', GEMINI_CLI_HOME: fixture.home },
      project: fixture.project,
      day: DAY,
    });
    expect(result.sessions).toBe(2);
  });

  it('reads Claude Code transcripts under CLAUDE_CONFIG_DIR', async () => {
    const fixture = fixtureHome(['claude']);
    const result = await planLearning({
      env: { HOME: '/nonexistent', CLAUDE_CONFIG_DIR: join(fixture.home, '.claude') },
      project: fixture.project,
      day: DAY,
    });
    expect(result.sessions).toBe(2);
  });
});
