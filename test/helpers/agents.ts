// Where the e2e suites find the real agent CLIs: the project's dev dependencies, then the prefixes .ci/run
// installs the others into (Gemini CLI; opencode and Copilot CLI, whose platform binaries are optional
// packages), then the PATH; and the reason a suite names when it is skipped.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findExecutable } from '../../src/agents/preflight.js';
import { root } from './wrap.js';

/** Real-agent suites are opt-in: `npm run test:e2e`, and CI. */
export const e2eEnabled = process.env.HEADROOM_E2E === '1';

const PREFIXES = ['.e2e-agents', '.e2e-opencode', '.e2e-copilot'];

/** The PATH agents are looked up on, the project's own installs first. */
export const agentSearchPath = [
  join(root, 'node_modules', '.bin'),
  ...PREFIXES.map((prefix) => join(root, 'node_modules', prefix, 'node_modules', '.bin')),
  process.env.PATH ?? '',
].join(':');

/** The agent's binary, or undefined when it is not installed. */
export function agentBinary(name: string): string | undefined {
  return findExecutable(name, { PATH: agentSearchPath });
}

/** The directory of the agent's binary, for a PATH that has it, or undefined when it is not installed. */
export function agentBinaryDir(name: string): string | undefined {
  const found = agentBinary(name);
  return found ? dirname(found) : undefined;
}

/** What a suite's name adds when it is skipped: e2e runs are opt-in, and the agent may not be installed. */
export function skipReason(found: string | undefined, agent: string): string {
  return !e2eEnabled ? ' (runs with HEADROOM_E2E=1)' : found ? '' : ` (${agent} not installed)`;
}

/** Write an agent's own config file under a test home (`.claude/settings.json`, `.codex/config.toml`…). */
export function writeAgentConfig(home: string, file: string, text: string): void {
  mkdirSync(dirname(join(home, file)), { recursive: true });
  writeFileSync(join(home, file), text);
}
