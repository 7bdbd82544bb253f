// The real GitHub Copilot CLI under `headroom wrap copilot --subscription`, one non-interactive turn against a
// fake GitHub (the token exchange) and a fake Copilot API, in a private HOME with a stored login. Runs with
// HEADROOM_E2E=1; skipped with the reason when the CLI is not installed (.ci/run installs it).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBinaryDir, e2eEnabled, skipReason } from '../helpers/agents.js';
import { type FakeGitHub, GITHUB_TOKEN, startFakeGitHub, storeDeviceLogin } from '../helpers/fake-github.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { runHeadroom, tempDir } from '../helpers/wrap.js';

const binDir = agentBinaryDir('copilot');

let copilotApi: FakeUpstream;
let github: FakeGitHub;
beforeAll(async () => {
  if (!e2eEnabled) return;
  copilotApi = await startFakeUpstream();
  github = await startFakeGitHub({ copilotApi: copilotApi.url });
});
afterAll(async () => {
  await copilotApi?.close();
  await github?.close();
});

describe.skipIf(!e2eEnabled || !binDir)(
  `copilot -p under headroom wrap --subscription${skipReason(binDir, 'copilot')}`,
  () => {
    it('sends the CLI’s turn through headroom to the Copilot API, signed with the exchanged token', async () => {
      const home = tempDir('e2e-copilot-home');
      const env = {
        PATH: `${binDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: home,
        HEADROOM_CONFIG_DIR: join(home, 'headroom-config'),
        HEADROOM_CACHE_DIR: join(home, 'headroom-cache'),
        // The CLI contacts no GitHub service of its own (no login, no telemetry, no update check).
        COPILOT_OFFLINE: 'true',
      };
      storeDeviceLogin(env);
      const result = await runHeadroom(
        [
          'wrap',
          'copilot',
          '--subscription',
          '--github-api-url',
          github.url,
          '--verbose',
          '--',
          '-p',
          'Say hi.',
          '--allow-all-tools',
          '--no-auto-update',
        ],
        env,
        { cwd: tempDir('e2e-copilot-project'), timeout: 100_000 },
      );
      expect(result.exitCode, result.stderr + result.stdout).toBe(0);
      const turns = copilotApi.requests.filter((r) => r.path === '/chat/completions');
      expect(turns.length, JSON.stringify(copilotApi.requests.map((r) => r.path))).toBeGreaterThan(0);
      for (const turn of turns) {
        expect(turn.headers.authorization).toBe(`Bearer ${github.issued.at(-1)}`);
        expect(turn.headers['copilot-integration-id']).toBe('vscode-chat');
        // No model named: the subscription default every Copilot plan serves.
        expect(turn.json().model).toBe('gpt-4.1');
      }
      expect(result.stderr).toMatch(/headroom: copilot session [0-9a-f]{8}: [1-9]\d* requests?/);

      // Neither token is in any file the run wrote (the wrap log, the stores, the CLI's own state) but the login.
      const files = readdirSync(home, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name));
      // The proxy's debug log (one line per request, --verbose) is among them.
      expect(
        files.filter((file) => /wrap-[0-9a-f]{8}\.log$/.test(file) && readFileSync(file).length > 0),
      ).toHaveLength(1);
      const holding = (secret: string) => files.filter((file) => readFileSync(file).includes(secret));
      expect(holding(GITHUB_TOKEN)).toEqual([join(env.HEADROOM_CONFIG_DIR, 'copilot-auth.json')]);
      for (const token of github.issued) expect(holding(token)).toEqual([]);
    }, 120_000);
  },
);
