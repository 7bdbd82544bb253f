// `headroom learn --llm` and `--llm-agent` as a user runs them: the built CLI in a private HOME holding
// session logs, the model a fake upstream on loopback (or a stand-in agent CLI on PATH) with scripted answers.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureHome } from '../src/learn/fixtures.js';
import { DIGEST_CHARS } from '../src/learn/llm.js';
import {
  answer,
  type FakeUpstream,
  type ReceivedRequest,
  startFakeUpstream,
} from './helpers/fake-upstream.js';
import { root, runHeadroom, tempDir } from './helpers/wrap.js';

const SECRET_TOKEN = 'ghp_plantedSECRET0123456789abcdef';
const SECRET_KEY = 'sk-ant-plantedSECRETkey0123456789';
const PROMPT = 'PROMPT-TEXT-never-sent: deploy the site';
const NOISE = Array.from({ length: 120 }, (_, i) => `NOISE-${String(i).padStart(4, '0')} ${'x'.repeat(70)}`);

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

/** Claude Code transcript lines for one session of Bash calls in `project`, in the format it writes. */
function claudeSession(
  project: string,
  session: string,
  calls: { command: string; output: string; error: boolean }[],
) {
  const base = {
    isSidechain: false,
    userType: 'external',
    cwd: project,
    sessionId: session,
    version: '2.1.0',
  };
  const lines: unknown[] = [
    { ...base, type: 'user', uuid: `${session}-u`, message: { role: 'user', content: PROMPT } },
  ];
  calls.forEach((call, i) => {
    const id = `toolu_${session.slice(0, 6)}${i}`;
    lines.push({
      ...base,
      type: 'assistant',
      uuid: `${session}-a${i}`,
      message: {
        id: `msg_${i}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [{ type: 'tool_use', id, name: 'Bash', input: { command: call.command } }],
        stop_reason: 'tool_use',
      },
    });
    lines.push({
      ...base,
      type: 'user',
      uuid: `${session}-r${i}`,
      message: {
        role: 'user',
        content: [{ tool_use_id: id, type: 'tool_result', content: call.output, is_error: call.error }],
      },
      toolUseResult: call.error
        ? `Error: ${call.output}`
        : { stdout: call.output, stderr: '', interrupted: false },
    });
  });
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

/** The Claude fixtures plus a session whose failing command and its output hold secrets and a long log. */
function homeWithSecrets() {
  const fixture = fixtureHome(['claude']);
  const deploy = `DEPLOY_TOKEN=${SECRET_TOKEN} ./deploy.sh`;
  const session = 'c0ffee00-1111-4222-8333-444455556666';
  writeFileSync(
    join(fixture.home, '.claude', 'projects', '-project', `${session}.jsonl`),
    claudeSession(fixture.project, session, [
      {
        command: deploy,
        output: `Exit code 1\nusing key ${SECRET_KEY}\nError: Cannot find module 'dotenv'\n${NOISE.join('\n')}`,
        error: true,
      },
      { command: 'npm install', output: 'added 12 packages\n', error: false },
      { command: deploy, output: 'deployed\n', error: false },
    ]),
  );
  return fixture;
}

const env = (home: string, extra: Record<string, string | undefined> = {}) => ({
  PATH: process.env.PATH,
  HOME: home,
  HEADROOM_CACHE_DIR: join(home, 'cache'),
  HEADROOM_CONFIG_DIR: join(home, 'config'),
  HEADROOM_ANTHROPIC_UPSTREAM: upstream.url,
  HEADROOM_OPENAI_UPSTREAM: upstream.url,
  ...extra,
});

const learn = (args: string[], home: string, cwd: string, extra: Record<string, string | undefined> = {}) =>
  runHeadroom(['learn', ...args], env(home, extra), { cwd });

const withKey = { ANTHROPIC_API_KEY: 'sk-ant-test-key-0000' };

/** Answer every request with this text, and keep the requests made from here on. */
function scriptAnswer(text: string): ReceivedRequest[] {
  const seen: ReceivedRequest[] = [];
  upstream.script((req) => {
    seen.push(req);
    return answer(req, { text });
  });
  return seen;
}

const promptOf = (req: ReceivedRequest) => {
  const body = req.json() as { messages: { content: string }[] };
  return body.messages[0]?.content ?? '';
};

/** The rules in the digest a prompt carries. */
const digestIn = (prompt: string) =>
  JSON.parse(prompt.slice(prompt.indexOf('Rules:\n') + 'Rules:\n'.length)) as {
    key: string;
    excerpt: string;
  }[];

const GOOD = JSON.stringify([
  {
    section: 'Commands',
    text: 'Use `npm`, never `pnpm`: run `npm install` first, then `npm run build` or `npm test`.',
    merges: ['instead:pnpm test=>npm test', 'before:npm install=>npm run build'],
  },
  {
    section: 'Known failures',
    text: 'Never run `make deploy`; it always fails here.',
    merges: ['fails:command:make deploy'],
  },
]);

describe('headroom learn --llm', () => {
  it('sends a bounded digest of the rules, with no secret and no log beyond short excerpts', async () => {
    const { home, project } = homeWithSecrets();
    const seen = scriptAnswer('[]');
    const result = await learn(['--llm', '--json'], home, project, withKey);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('plantedSECRET');
    expect(seen).toHaveLength(1);
    const req = seen[0] as ReceivedRequest;
    expect(req.path).toBe('/v1/messages');
    expect(req.headers['x-api-key']).toBe('sk-ant-test-key-0000');
    const sent = req.body.toString('utf8');
    expect(sent).not.toContain('plantedSECRET');
    expect(sent).not.toContain(PROMPT);
    // The failure's output is 120 long lines; the digest holds its first 200 characters only.
    expect(sent.match(/NOISE-\d{4}/g)?.length ?? 0).toBeLessThanOrEqual(2);
    expect(sent.length).toBeLessThan(DIGEST_CHARS + 4000);
    const digest = digestIn(promptOf(req));
    const deploy = digest.find((entry) => entry.key.includes('deploy.sh'));
    expect(deploy?.key).toBe('before:npm install=>DEPLOY_TOKEN=*** ./deploy.sh');
    expect(deploy?.excerpt).toContain("Error: Cannot find module 'dotenv'");
    expect(deploy?.excerpt).toContain('using key ***');
    expect(digest.map((entry) => entry.key)).toContain('instead:pnpm test=>npm test');
  });

  it('uses a well-formed answer: merged rules with the mined evidence, written the same on every run', async () => {
    const { home, project } = fixtureHome(['claude']);
    const plain = JSON.parse((await learn(['--json'], home, project)).stdout).projects[0].rules as {
      key: string;
      evidence: number;
    }[];
    const evidenceOf = (key: string) => plain.find((rule) => rule.key === key)?.evidence ?? 0;
    scriptAnswer(GOOD);
    const result = await learn(['--llm', '--json'], home, project, withKey);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('answer for');
    const out = JSON.parse(result.stdout).projects[0];
    expect(out.phrasedBy).toBe(`claude-sonnet-4-5 at ${upstream.url}`);
    expect(out.rules).toHaveLength(plain.length - 1);
    expect(out.rules[0]).toEqual({
      key: 'merged:before:npm install=>npm run build|instead:pnpm test=>npm test',
      section: 'Commands',
      text: 'Use `npm`, never `pnpm`: run `npm install` first, then `npm run build` or `npm test`.',
      evidence: evidenceOf('instead:pnpm test=>npm test') + evidenceOf('before:npm install=>npm run build'),
      sessions: 2,
      wastedTokensPerSession: expect.any(Number),
      agents: ['claude'],
      merges: ['before:npm install=>npm run build', 'instead:pnpm test=>npm test'],
    });
    expect(out.rules[1]).toMatchObject({
      key: 'fails:command:make deploy',
      text: 'Never run `make deploy`; it always fails here.',
      evidence: evidenceOf('fails:command:make deploy'),
      sessions: 2,
    });
    // Rules the answer left out stay as mined.
    for (const rule of plain.filter((r) => !/pnpm|npm run build|make deploy/.test(r.key)))
      expect(out.rules).toContainEqual(rule);

    const first = await learn(['--llm', '--apply'], home, project, withKey);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `headroom: rules for ${project} worded by claude-sonnet-4-5 at ${upstream.url}`,
    );
    const written = readFileSync(join(project, 'CLAUDE.md'), 'utf8');
    expect(written).toContain(
      '- Use `npm`, never `pnpm`: run `npm install` first, then `npm run build` or `npm test`. (3 times in 2 sessions)',
    );
    const second = await learn(['--llm', '--apply'], home, project, withKey);
    expect(second.stdout).toContain('headroom: nothing to change');
    expect(readFileSync(join(project, 'CLAUDE.md'), 'utf8')).toBe(written);
  });

  it.each([
    ['prose', 'Here are the merged rules: use npm.', 'not JSON'],
    ['an object', '{"rules": []}', 'not a JSON list'],
    [
      'an unknown key',
      JSON.stringify([{ section: 'Commands', text: 'Use npm.', merges: ['instead:yarn=>npm'] }]),
      'rule 1 names an unknown rule',
    ],
    [
      'a key merged twice',
      JSON.stringify([
        { section: 'Commands', text: 'Use npm.', merges: ['instead:pnpm test=>npm test'] },
        { section: 'Commands', text: 'Use npm!', merges: ['instead:pnpm test=>npm test'] },
      ]),
      'rule 2 names a rule another one already merges',
    ],
    [
      'no section',
      JSON.stringify([{ text: 'Use npm.', merges: ['instead:pnpm test=>npm test'] }]),
      'rule 1 has no known section',
    ],
  ])('keeps the mined rules and says so in one line when the answer is %s', async (_, text, reason) => {
    const { home, project } = fixtureHome(['claude']);
    const plain = JSON.parse((await learn(['--json'], home, project)).stdout).projects[0].rules;
    scriptAnswer(text);
    const result = await learn(['--llm', '--json'], home, project, withKey);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(
      result.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.includes('unreadable line')),
    ).toEqual([
      `headroom: claude-sonnet-4-5 at ${upstream.url}'s answer for ${project} was not a list of rules (${reason}); kept the mined rules`,
    ]);
    const out = JSON.parse(result.stdout).projects[0];
    expect(out.rules).toEqual(plain);
    expect(out.phrasedBy).toBeUndefined();
  });

  it('asks OpenAI when only OPENAI_API_KEY is set', async () => {
    const { home, project } = fixtureHome(['claude']);
    const seen = scriptAnswer(GOOD);
    const result = await learn(['--llm', '--llm-model', 'gpt-test', '--json'], home, project, {
      OPENAI_API_KEY: 'sk-test-openai-key-0000',
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(seen[0]?.path).toBe('/v1/chat/completions');
    expect(seen[0]?.headers.authorization).toBe('Bearer sk-test-openai-key-0000');
    expect(seen[0]?.json().model).toBe('gpt-test');
    expect(JSON.parse(result.stdout).projects[0].rules[0].evidence).toBe(3);
  });

  it('is a one-line error with an exit code when the upstream cannot be reached, refuses, or has no key', async () => {
    const { home, project } = fixtureHome(['claude']);
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const down = await learn(['--llm'], home, project, {
      ...withKey,
      HEADROOM_ANTHROPIC_UPSTREAM: `http://127.0.0.1:${closed}`,
    });
    expect(down.exitCode).toBe(1);
    expect(down.stderr.trim().split('\n').at(-1)).toBe(
      `headroom: cannot reach the model at http://127.0.0.1:${closed}/v1/messages: ECONNREFUSED`,
    );
    expect(down.stdout).toBe('');

    upstream.script(() => ({
      kind: 'json',
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
    }));
    const refused = await learn(['--llm'], home, project, withKey);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.trim().split('\n').at(-1)).toBe(
      `headroom: the model at ${upstream.url}/v1/messages answered 401: invalid x-api-key`,
    );
    expect(refused.stderr).not.toContain('sk-ant-test-key-0000');

    upstream.script(() => ({ kind: 'hang' }));
    const slow = await learn(['--llm', '--llm-timeout', '1'], home, project, withKey);
    expect(slow.exitCode).toBe(1);
    expect(slow.stderr.trim().split('\n').at(-1)).toBe(
      `headroom: cannot reach the model at ${upstream.url}/v1/messages: no answer within 1 s`,
    );

    const noKey = await learn(['--llm'], home, project);
    expect(noKey.exitCode).toBe(2);
    expect(noKey.stderr.trim()).toBe(
      'headroom: --llm needs ANTHROPIC_API_KEY or OPENAI_API_KEY (or use --llm-agent claude|codex|gemini)',
    );
  });
});

describe('headroom learn --llm-agent', () => {
  /** A PATH holding a stand-in `name` that records its arguments and prints `text` as its answer. */
  function standIn(name: string, text: string, exitCode = 0) {
    const dir = tempDir('llm-agent');
    const script = join(dir, name);
    writeFileSync(join(dir, 'answer.txt'), text);
    writeFileSync(
      script,
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n--\\n' "$a"; done > "${dir}/args.txt"\ncat "${dir}/answer.txt"\necho "stand-in ${name} done" >&2\nexit ${exitCode}\n`,
    );
    chmodSync(script, 0o755);
    return {
      path: `${dir}:/usr/bin:/bin`,
      args: () => readFileSync(join(dir, 'args.txt'), 'utf8').split('\n--\n'),
    };
  }

  it.each([
    ['claude', ['-p']],
    ['codex', ['exec', '--skip-git-repo-check']],
    ['gemini', ['-p']],
  ])('runs %s non-interactively with the digest and uses its answer', async (agent, before) => {
    const { home, project } = homeWithSecrets();
    const stand = standIn(agent, `\`\`\`json\n${GOOD}\n\`\`\`\n`);
    const result = await learn(['--llm-agent', agent, '--json'], home, project, { PATH: stand.path });
    expect(result.exitCode, result.stderr).toBe(0);
    const args = stand.args();
    expect(args.slice(0, before.length)).toEqual(before);
    const prompt = args[before.length] as string;
    expect(digestIn(prompt).map((entry) => entry.key)).toContain('instead:pnpm test=>npm test');
    expect(prompt).not.toContain('plantedSECRET');
    const out = JSON.parse(result.stdout).projects[0];
    expect(out.phrasedBy).toBe(`${agent} ${before.join(' ')}`);
    expect(out.rules[0]).toMatchObject({ section: 'Commands', evidence: 3, sessions: 2 });
  });

  it('is a one-line error with exit 127 when the agent is not installed, and says how the agent failed', async () => {
    const { home, project } = fixtureHome(['claude']);
    const empty = tempDir('empty-path');
    mkdirSync(empty, { recursive: true });
    const missing = await learn(['--llm-agent', 'codex'], home, project, { PATH: empty });
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr.trim()).toBe(
      'headroom: cannot start codex: not found on PATH (install: npm i -g @openai/codex)',
    );
    const failing = standIn('claude', '', 3);
    const failed = await learn(['--llm-agent', 'claude'], home, project, { PATH: failing.path });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr.trim().split('\n').at(-1)).toBe(
      'headroom: claude -p failed (exit 3): stand-in claude done',
    );
  });

  it('cannot be combined with --llm', async () => {
    const { home } = fixtureHome(['claude']);
    const result = await learn(['--llm', '--llm-agent', 'claude'], home, root);
    expect(result.exitCode).toBe(2);
  });
});
