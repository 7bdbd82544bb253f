// Real agents make a mistake and recover from it against the fake model API, in a private HOME; then
// `headroom learn --apply` reads the session logs they wrote and puts the lesson in their instructions file.
// Run with `npm run test:e2e`; an agent whose binary is not installed is skipped with the reason.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBinaryDir, e2eEnabled, skipReason } from '../helpers/agents.js';
import {
  answer,
  type FakeUpstream,
  type ReceivedRequest,
  startFakeUpstream,
  type ToolCall,
} from '../helpers/fake-upstream.js';
import { runHeadroom, tempDir, upstreamFlagsFor } from '../helpers/wrap.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  if (e2eEnabled) upstream = await startFakeUpstream();
});
afterAll(() => upstream?.close());

const PROMPT = 'run the project tests';
const RULE = '- Run `npm test`, not `pnpm test`: `pnpm` is not installed here. (1 time in 1 session)';

/** Tool results the agent has sent back so far in this turn, in any of the wire formats. */
const resultsIn = (req: ReceivedRequest) =>
  (
    req.body
      .toString()
      .match(/"tool_result"|"function_call_output"|"custom_tool_call_output"|"functionResponse"/g) ?? []
  ).length;

interface Scenario {
  agent: string;
  /** The agent's shell tool call for a command line. */
  shell: (command: string) => ToolCall;
  args: string[];
  env: Record<string, string>;
  file: string;
  setUp?: (home: string) => void;
}

/** The model runs `pnpm test` (not installed), then `npm test` (works), then answers; learn reads the log. */
async function failThenRecoverThenLearn(binDir: string, scenario: Scenario) {
  const home = tempDir('e2e-learn-home');
  const project = tempDir('e2e-learn-project');
  scenario.setUp?.(home);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'app', private: true, scripts: { test: 'node -e "console.log(\'31 passed\')"' } }),
  );
  const env = {
    PATH: `${binDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: home,
    HEADROOM_CONFIG_DIR: join(home, 'headroom-config'),
    HEADROOM_CACHE_DIR: join(home, 'headroom-cache'),
    ...scenario.env,
  };
  upstream.script((req) => {
    if (!req.body.includes(PROMPT)) return undefined;
    const results = resultsIn(req);
    if (results === 0) return answer(req, { toolCall: scenario.shell('pnpm test') });
    if (results === 1) return answer(req, { toolCall: scenario.shell('npm test') });
    return answer(req, { text: 'The tests pass.' });
  });
  try {
    const run = await runHeadroom(
      ['wrap', scenario.agent, ...upstreamFlagsFor(upstream.url), '--', ...scenario.args],
      env,
      {
        cwd: project,
        timeout: 150_000,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
  } finally {
    upstream.script(undefined);
  }
  const learned = await runHeadroom(['learn', '--apply', '--agent', scenario.agent], env, { cwd: project });
  expect(learned.exitCode, learned.stderr).toBe(0);
  expect(learned.stdout).toContain(`wrote ${join(project, scenario.file)}`);
  expect(readFileSync(join(project, scenario.file), 'utf8')).toContain(RULE);
  return { project, env };
}

const claudeDir = agentBinaryDir('claude');
describe.skipIf(!e2eEnabled || !claudeDir)(
  `headroom learn on Claude Code’s own transcript${skipReason(claudeDir, 'claude')}`,
  () => {
    it('writes the rule the failed-then-recovered command teaches into CLAUDE.md', async () => {
      const { project, env } = await failThenRecoverThenLearn(claudeDir as string, {
        agent: 'claude',
        shell: (command) => ({ name: 'Bash', input: { command, description: 'Run the tests' } }),
        args: ['-p', PROMPT, '--allowedTools', 'Bash'],
        env: { ANTHROPIC_API_KEY: 'sk-ant-e2e-0000', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
        file: 'CLAUDE.md',
      });
      const text = readFileSync(join(project, 'CLAUDE.md'), 'utf8');
      const again = await runHeadroom(['learn', '--apply', '--agent', 'claude'], env, { cwd: project });
      expect(again.stdout).toContain('nothing to change');
      expect(readFileSync(join(project, 'CLAUDE.md'), 'utf8')).toBe(text);
    }, 200_000);
  },
);

const codexDir = agentBinaryDir('codex');
describe.skipIf(!e2eEnabled || !codexDir)(
  `headroom learn on Codex’s own rollout${skipReason(codexDir, 'codex')}`,
  () => {
    it('writes the rule the failed-then-recovered command teaches into AGENTS.md', async () => {
      await failThenRecoverThenLearn(codexDir as string, {
        agent: 'codex',
        shell: (command) => ({ name: 'exec_command', input: { cmd: command } }),
        // A model whose tools include the plain shell tool; no sandbox, which this machine cannot set up.
        args: [
          'exec',
          '--skip-git-repo-check',
          '--dangerously-bypass-approvals-and-sandbox',
          '-m',
          'gpt-5-codex',
          PROMPT,
        ],
        env: { OPENAI_API_KEY: 'sk-e2e-0000' },
        file: 'AGENTS.md',
      });
    }, 200_000);

    it('learns the same from a session of the default model, whose exec scripts run the commands', async () => {
      await failThenRecoverThenLearn(codexDir as string, {
        agent: 'codex',
        shell: (command) => ({
          name: 'exec',
          input: {},
          script: `const r = await tools.exec_command({cmd: ${JSON.stringify(command)}});\ntext(r);`,
        }),
        args: ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', PROMPT],
        env: { OPENAI_API_KEY: 'sk-e2e-0000' },
        file: 'AGENTS.md',
      });
    }, 200_000);
  },
);

const geminiDir = agentBinaryDir('gemini');
describe.skipIf(!e2eEnabled || !geminiDir)(
  `headroom learn on Gemini CLI’s own chat${skipReason(geminiDir, 'gemini')}`,
  () => {
    it('writes the rule the failed-then-recovered command teaches into GEMINI.md', async () => {
      await failThenRecoverThenLearn(geminiDir as string, {
        agent: 'gemini',
        shell: (command) => ({ name: 'run_shell_command', input: { command, description: 'Run the tests' } }),
        args: ['-p', PROMPT, '--yolo'],
        env: { GEMINI_API_KEY: 'e2e-key', GEMINI_CLI_TRUST_WORKSPACE: 'true' },
        file: 'GEMINI.md',
        // Gemini CLI 0.61 rejects the auth type it infers from GOOGLE_GEMINI_BASE_URL unless one is chosen.
        setUp: (home) => {
          mkdirSync(join(home, '.gemini'), { recursive: true });
          writeFileSync(
            join(home, '.gemini', 'settings.json'),
            JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
          );
        },
      });
    }, 200_000);
  },
);
