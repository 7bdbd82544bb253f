// Real Claude Code as the model `headroom learn --llm-agent claude` asks: `claude -p` runs against the fake
// model API, which answers the digest with merged rules; learn writes them with the mined evidence.
// Run with `npm run test:e2e`; skipped with the reason when Claude Code is not installed.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureHome } from '../../src/learn/fixtures.js';
import { agentBinary, e2eEnabled, skipReason, writeAgentConfig } from '../helpers/agents.js';
import { answer, type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { runHeadroom } from '../helpers/wrap.js';

const claude = agentBinary('claude');
const codex = agentBinary('codex');
const gemini = agentBinary('gemini');

let upstream: FakeUpstream;
beforeAll(async () => {
  if (e2eEnabled) upstream = await startFakeUpstream();
});
afterAll(() => upstream?.close());

const MERGED = JSON.stringify([
  {
    section: 'Commands',
    text: 'Use `npm`, never `pnpm`: run `npm install` first, then `npm run build` or `npm test`.',
    merges: ['instead:pnpm test=>npm test', 'before:npm install=>npm run build'],
  },
]);

const RULE =
  '- Use `npm`, never `pnpm`: run `npm install` first, then `npm run build` or `npm test`. (3 times in 2 sessions)';

/**
 * A learner run as a user would: `headroom learn --llm-agent <agent> --apply` in the fixture project, with the
 * agent's binary on PATH and `extra` in its environment, the fake model answering the digest with MERGED.
 * Returns the runner (to run it again) and the digests the model was sent.
 */
function learner(
  agent: string,
  binary: string,
  home: string,
  project: string,
  extra: Record<string, string>,
) {
  const prompts: string[] = [];
  upstream.script((req) => {
    if (!req.body.includes('These rules were mined')) return undefined;
    prompts.push(req.body.toString('utf8'));
    return answer(req, { text: MERGED });
  });
  const env = {
    PATH: `${dirname(binary)}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: home,
    HEADROOM_CONFIG_DIR: join(home, 'headroom-config'),
    HEADROOM_CACHE_DIR: join(home, 'headroom-cache'),
    ...extra,
  };
  const run = () =>
    runHeadroom(['learn', '--llm-agent', agent, '--agent', 'claude', '--apply'], env, {
      cwd: project,
      timeout: 150_000,
    });
  return { run, prompts };
}

/** The run succeeded, the model was asked, and CLAUDE.md holds the merged rule with its evidence. */
function expectMergedRule(
  result: Awaited<ReturnType<typeof runHeadroom>>,
  prompts: readonly string[],
  project: string,
): string {
  expect(result.exitCode, result.stderr).toBe(0);
  expect(result.stderr).not.toContain('answer for');
  expect(prompts.length).toBeGreaterThan(0);
  const text = readFileSync(join(project, 'CLAUDE.md'), 'utf8');
  expect(text).toContain(RULE);
  return text;
}

describe.skipIf(!e2eEnabled || !claude)(
  `headroom learn --llm-agent claude with Claude Code${skipReason(claude, 'claude')}`,
  () => {
    it('writes the rules Claude Code merged, with the mined evidence, the same on the next run', async () => {
      const { home, project } = fixtureHome(['claude']);
      const { run, prompts } = learner('claude', claude as string, home, project, {
        ANTHROPIC_BASE_URL: upstream.url,
        ANTHROPIC_API_KEY: 'sk-ant-e2e-0000',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      });
      const text = expectMergedRule(await run(), prompts, project);
      const second = await run();
      expect(second.exitCode, second.stderr).toBe(0);
      expect(second.stdout).toContain('nothing to change');
      expect(readFileSync(join(project, 'CLAUDE.md'), 'utf8')).toBe(text);
    }, 320_000);
  },
);

describe.skipIf(!e2eEnabled || !codex)(
  `headroom learn --llm-agent codex with Codex${skipReason(codex, 'codex')}`,
  () => {
    it('writes the rules Codex merged, with the mined evidence', async () => {
      const { home, project } = fixtureHome(['claude']);
      // Codex reaches the fake model API through a model provider of its own config, as a user would set one.
      writeAgentConfig(
        home,
        '.codex/config.toml',
        `model = "gpt-5-codex"\nmodel_provider = "fake"\n\n[model_providers.fake]\nname = "fake"\nbase_url = "${upstream.url}/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"\n`,
      );
      const { run, prompts } = learner('codex', codex as string, home, project, {
        OPENAI_API_KEY: 'sk-e2e-0000',
      });
      expectMergedRule(await run(), prompts, project);
    }, 200_000);
  },
);

describe.skipIf(!e2eEnabled || !gemini)(
  `headroom learn --llm-agent gemini with Gemini CLI${skipReason(gemini, 'gemini')}`,
  () => {
    it('writes the rules Gemini CLI merged, with the mined evidence', async () => {
      const { home, project } = fixtureHome(['claude']);
      // Gemini CLI 0.61 rejects the auth type it infers from GOOGLE_GEMINI_BASE_URL unless one is chosen.
      writeAgentConfig(
        home,
        '.gemini/settings.json',
        JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
      );
      const { run, prompts } = learner('gemini', gemini as string, home, project, {
        GEMINI_API_KEY: 'e2e-key',
        GOOGLE_GEMINI_BASE_URL: upstream.url,
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
      });
      expectMergedRule(await run(), prompts, project);
    }, 200_000);
  },
);
