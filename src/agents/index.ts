// The agents `headroom wrap` knows, by command-line name. Adding an agent means adding one adapter file and
// one entry here.

import { UsageError } from '../errors.js';
import type { AgentAdapter } from './adapter.js';
import { aider } from './aider.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { copilot } from './copilot.js';
import { cursor } from './cursor.js';
import { gemini } from './gemini.js';
import { opencode } from './opencode.js';

export type { AgentAdapter, ManualAdapter, ProcessAdapter } from './adapter.js';

export const AGENTS: readonly AgentAdapter[] = [claude, codex, aider, gemini, copilot, cursor, opencode];

/** Every agent's own editing and reading tools, for the engine's tool policy. */
export function agentToolPolicy(): { editTools: string[]; readTools: string[] } {
  return {
    editTools: AGENTS.flatMap((agent) => agent.editTools ?? []),
    readTools: AGENTS.flatMap((agent) => agent.readTools ?? []),
  };
}

/** The agent a user named on the command line; an unknown name is a usage error (exit 2). */
export function findAgent(name: string): AgentAdapter {
  const agent = AGENTS.find((a) => a.name === name.toLowerCase());
  if (!agent) {
    throw new UsageError(`unknown agent "${name}" (known: ${AGENTS.map((a) => a.name).join(', ')})`);
  }
  return agent;
}
