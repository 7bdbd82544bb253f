// Registering headroom's MCP server with agents, removing it, and saying where it is registered. Each
// change touches headroom's entry only, leaves a backup of the file beside it first, and is idempotent:
// a second run finds nothing to change and writes nothing.

import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { execa } from 'execa';
import type { Env } from '../../agents/adapter.js';
import { isObject } from '../../agents/config-files.js';
import { findExecutable } from '../../agents/preflight.js';
import { HeadroomError, UsageError } from '../../errors.js';
import {
  type AgentRegistration,
  type InstallScope,
  REGISTRATIONS,
  SERVER_NAME,
  type ServerCommand,
} from './agents.js';

export interface InstallOptions {
  scope: InstallScope;
  env: Env;
  /** The project directory (`--scope project` writes there). */
  project: string;
  /** Say what would change, write nothing. */
  dryRun?: boolean;
}

/** What happened to one agent's config file. */
export interface ConfigChange {
  agent: string;
  label: string;
  file: string;
  action: 'added' | 'updated' | 'removed' | 'unchanged' | 'absent' | 'unsupported';
  /** Where the file was copied before it was changed. */
  backup?: string;
  /** Why nothing was done, for `unsupported`. */
  reason?: string;
}

/** The agents `names` name (`all` is every one); none named means the ones set up on this machine. */
export function chosenAgents(names: readonly string[], env: Env): AgentRegistration[] {
  if (names.length === 0) return REGISTRATIONS.filter((agent) => isPresent(agent, env));
  if (names.includes('all')) return [...REGISTRATIONS];
  return names.map((name) => {
    const agent = REGISTRATIONS.find((a) => a.name === name.toLowerCase());
    if (!agent) {
      throw new UsageError(
        `unknown agent "${name}" (known: ${REGISTRATIONS.map((a) => a.name).join(', ')}, all)`,
      );
    }
    return agent;
  });
}

/** The agent's CLI is on the PATH, or its config directory exists. */
export function isPresent(agent: AgentRegistration, env: Env): boolean {
  return (
    (agent.binary !== undefined && findExecutable(agent.binary, env) !== undefined) ||
    existsSync(agent.homeDir(env))
  );
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

const entryIn = (agent: AgentRegistration, config: Record<string, unknown>) => {
  let value: unknown = config;
  for (const key of agent.serversPath) value = isObject(value) ? value[key] : undefined;
  const entry = isObject(value) ? value[SERVER_NAME] : undefined;
  return isObject(entry) ? entry : undefined;
};

/** Copy `file` aside before it changes: `<file>.headroom-<time>.bak`, same permissions. */
function backUp(file: string): string {
  const backup = `${file}.headroom-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
  copyFileSync(file, backup);
  return backup;
}

function write(file: string, text: string, existed: boolean): void {
  if (!existed) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // A file of the user's keeps its permissions; a new one holds only what its owner should read.
  writeFileSync(file, text, { mode: existed ? statSync(file).mode & 0o777 : 0o600 });
}

/** Run the agent's own CLI (`claude mcp add ...`); a failure is one line with what the agent said. */
async function runAgentCli(
  agent: AgentRegistration,
  binary: string,
  args: string[],
  options: InstallOptions,
): Promise<void> {
  // In the project, where a project-scoped server's file is.
  const result = await execa(binary, args, {
    cwd: options.project,
    env: options.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
  if (result.exitCode !== 0) {
    const said =
      `${result.stderr}\n${result.stdout}`.split('\n').find((line) => line.trim()) ??
      `exit code ${result.exitCode}`;
    throw new HeadroomError(`${agent.binary} ${args.slice(0, 2).join(' ')} failed: ${said.trim()}`);
  }
}

/** What `change` does to the file: an edit of its text, or one of the agent's own commands. */
type Edit = (
  text: string,
  existing: Record<string, unknown> | undefined,
) => Promise<{ text: string; action: ConfigChange['action']; agentCli?: string[] }>;

async function change(agent: AgentRegistration, options: InstallOptions, edit: Edit): Promise<ConfigChange> {
  const file = agent.configFile(options.scope, options.env, options.project);
  const base = { agent: agent.name, label: agent.label };
  if (typeof file !== 'string') return { ...base, file: '', action: 'unsupported', reason: file.unsupported };
  const before = readText(file);
  const existing = entryIn(agent, await agent.dialect.read(before, file));
  const { text, action, agentCli } = await edit(before, existing);
  const binary = agentCli && agent.binary ? findExecutable(agent.binary, options.env) : undefined;
  if (agentCli && binary) {
    if (options.dryRun) return { ...base, file, action };
    const backup = existsSync(file) ? backUp(file) : undefined;
    await runAgentCli(agent, binary, agentCli, options);
    return { ...base, file, action, ...(backup ? { backup } : {}) };
  }
  if (text === before || action === 'unchanged' || action === 'absent')
    return { ...base, file, action: text === before ? action : action };
  // The edit must leave a file the agent can still read.
  await agent.dialect.read(text, file);
  if (options.dryRun) return { ...base, file, action };
  const existed = existsSync(file);
  const backup = existed ? backUp(file) : undefined;
  write(file, text, existed);
  return { ...base, file, action, ...(backup ? { backup } : {}) };
}

/** Register `server` with `agent`: add headroom's entry, or bring the one there up to date. */
export function install(
  agent: AgentRegistration,
  server: ServerCommand,
  options: InstallOptions,
): Promise<ConfigChange> {
  return change(agent, options, async (text, existing) => {
    const wanted = agent.entry(server);
    const path = [...agent.serversPath, SERVER_NAME];
    if (!existing) {
      const added = await agent.dialect.set(text, path, wanted);
      return { text: added, action: 'added', agentCli: agent.cli?.add(server, options.scope) };
    }
    // Only the fields headroom sets are changed: what the user added to the entry stays.
    let next = text;
    for (const [key, value] of Object.entries(wanted)) {
      if (!isDeepStrictEqual(existing[key], value))
        next = await agent.dialect.set(next, [...path, key], value);
    }
    return { text: next, action: next === text ? 'unchanged' : 'updated' };
  });
}

/** Remove headroom's entry from `agent`'s config, leaving every other server. */
export function uninstall(agent: AgentRegistration, options: InstallOptions): Promise<ConfigChange> {
  return change(agent, options, async (text, existing) =>
    existing
      ? {
          text: await agent.dialect.set(text, [...agent.serversPath, SERVER_NAME], undefined),
          action: 'removed',
        }
      : { text, action: 'absent' },
  );
}

/** Where headroom is registered with an agent, and the command it starts. */
export interface RegistrationStatus {
  agent: string;
  label: string;
  present: boolean;
  file: string | null;
  registered: boolean;
  command: string[] | null;
  /** The file could not be read, and why. */
  problem?: string;
}

export async function status(
  agent: AgentRegistration,
  options: Omit<InstallOptions, 'dryRun'>,
): Promise<RegistrationStatus> {
  const file = agent.configFile(options.scope, options.env, options.project);
  const base = { agent: agent.name, label: agent.label, present: isPresent(agent, options.env) };
  if (typeof file !== 'string')
    return { ...base, file: null, registered: false, command: null, problem: file.unsupported };
  try {
    const entry = entryIn(agent, await agent.dialect.read(readText(file), file));
    return {
      ...base,
      file,
      registered: entry !== undefined,
      command: (entry && agent.commandOf(entry)) ?? null,
    };
  } catch (error) {
    return { ...base, file, registered: false, command: null, problem: (error as Error).message };
  }
}

/** One line saying what a change did (or would do, on a dry run). */
export function describeChange(change: ConfigChange, dryRun = false): string {
  const would = dryRun ? 'would be ' : '';
  switch (change.action) {
    case 'unsupported':
      return `${change.label}: ${change.reason}`;
    case 'unchanged':
      return `${change.label}: already registered in ${change.file}, nothing to change`;
    case 'absent':
      return `${change.label}: not registered in ${change.file}, nothing to remove`;
    default: {
      const backup = change.backup ? ` (backup: ${change.backup})` : '';
      const preposition = change.action === 'removed' ? 'from' : 'in';
      return `${change.label}: headroom ${would}${change.action} ${preposition} ${change.file}${backup}`;
    }
  }
}
