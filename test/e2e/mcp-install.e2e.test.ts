// The agents themselves read what `headroom mcp install` wrote: Claude Code, Codex and Gemini CLI list the
// headroom server from a private HOME (Claude Code and Gemini CLI start it and connect), and no longer
// after `headroom mcp uninstall`. Run with `npm run test:e2e`; an agent not installed is skipped with why.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { agentBinary, e2eEnabled, skipReason } from '../helpers/agents.js';
import { bin, runHeadroom, tempDir } from '../helpers/wrap.js';

const serverLine = `${process.execPath} ${bin} mcp serve`;

const AGENTS = [
  { name: 'claude', list: ['mcp', 'list'], listed: `headroom: ${serverLine} - ✓ Connected` },
  {
    name: 'codex',
    list: ['mcp', 'list'],
    listed: /^headroom\s+\S*node\s+\S*run\.js mcp serve\s+-\s+-\s+enabled/m,
  },
  { name: 'gemini', list: ['mcp', 'list'], listed: `✓ headroom: ${serverLine} (stdio) - Connected` },
] as const;

for (const agent of AGENTS) {
  const binary = agentBinary(agent.name);
  const reason = skipReason(binary, agent.name);
  describe.skipIf(!e2eEnabled || !binary)(`${agent.name} with headroom mcp install${reason}`, () => {
    it(`lists the headroom server after install, and not after uninstall`, async () => {
      const home = tempDir(`e2e-mcp-${agent.name}`);
      const project = join(home, 'project');
      mkdirSync(project);
      const env = {
        PATH: `${dirname(binary as string)}:${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: home,
        HEADROOM_CONFIG_DIR: join(home, 'headroom-config'),
        HEADROOM_CACHE_DIR: join(home, 'headroom-cache'),
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
      };
      const list = () =>
        execa(binary as string, agent.list, {
          env,
          extendEnv: false,
          cwd: project,
          reject: false,
          timeout: 90_000,
          all: true,
        });

      const installed = await runHeadroom(['mcp', 'install', '--agent', agent.name], env, { cwd: project });
      expect(installed.exitCode).toBe(0);
      const listed = await list();
      expect(listed.all).toMatch(agent.listed);

      const removed = await runHeadroom(['mcp', 'uninstall', '--agent', agent.name], env, { cwd: project });
      expect(removed.exitCode).toBe(0);
      expect((await list()).all).not.toContain('headroom:');
    }, 200_000);
  });
}
