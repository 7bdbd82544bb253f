import { describe, expect, it } from 'vitest';
import { SessionMiner } from './miner.js';
import { buildRules } from './rules.js';
import type { ToolCall } from './types.js';

/** A shell call in one session; `exit` 0 is a success. */
function run(target: string, exit: number, text = '', session = 's1'): ToolCall {
  return {
    agent: 'claude',
    session,
    project: '/app',
    tool: 'Bash',
    action: 'command',
    target,
    limits: [...target.matchAll(/-n (\d+)/g)].map((m) => Number(m[1])),
    ok: exit === 0,
    exitCode: exit,
    text,
    outputChars: text.length,
    inputChars: target.length + 20,
    interrupted: false,
  };
}

const rulesOf = (...sessions: ToolCall[][]) =>
  buildRules(
    sessions.flatMap((calls) => {
      const miner = new SessionMiner();
      for (const call of calls) miner.add(call);
      return miner.finish();
    }),
  ).map((rule) => rule.text);

describe('mining a session', () => {
  it('takes an install between a failed command and its rerun as the fix, not as the recovery', () => {
    expect(
      rulesOf([
        run('npm test', 1, "Error: Cannot find module 'vitest'"),
        run('npm install', 0),
        run('npm test', 0),
      ]),
    ).toEqual(['Run `npm install` before `npm test` (without it: module `vitest` not found).']);
  });

  it('learns nothing from a command that failed once and then worked unchanged', () => {
    expect(rulesOf([run('npm test', 1, 'flaky'), run('npm test', 0)])).toEqual([]);
  });

  it('pairs a missing program with the one that did the same job', () => {
    expect(
      rulesOf([run('python --version', 127, 'bash: python: command not found'), run('python3 --version', 0)]),
    ).toEqual(['Run `python3 --version`, not `python --version`: `python` is not installed here.']);
  });

  it('does not take an unrelated success for a recovery', () => {
    expect(rulesOf([run('pnpm test', 127, 'pnpm: command not found'), run('git status', 0)])).toEqual([]);
  });

  it('keeps a failure nothing fixed out of the rules until a second session has it too', () => {
    const failing = (session: string) => [run('make deploy', 2, 'No rule to make target', session)];
    expect(rulesOf(failing('a'))).toEqual([]);
    expect(rulesOf(failing('a'), failing('b'))).toEqual([
      '`make deploy` fails here (exit code 2); find another way before trying it.',
    ]);
  });

  it('sees a command re-run with a larger count, but not paging through the same count', () => {
    expect(rulesOf([run('git log -n 20', 0), run('git log -n 200', 0)])).toHaveLength(1);
    expect(rulesOf([run('git log -n 20', 0), run('git log -n 20 --skip 20', 0)])).toEqual([]);
  });

  it('blanks a secret before it reaches a rule', () => {
    expect(
      rulesOf([
        run('API_TOKEN=abc123secret pnpm deploy', 127, 'pnpm: command not found'),
        run('API_TOKEN=abc123secret npm deploy', 0),
      ]),
    ).toEqual([
      'Run `API_TOKEN=*** npm deploy`, not `API_TOKEN=*** pnpm deploy`: `pnpm` is not installed here.',
    ]);
    const [loop] = rulesOf(
      [1, 2, 3].map(() => run('curl -H "Authorization: Bearer abcdefgh12345678" http://x', 7, 'refused')),
    );
    expect(loop).toContain('Bearer ***');
    expect(loop).not.toContain('abcdefgh12345678');
  });
});
