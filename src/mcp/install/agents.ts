// Where each agent keeps its MCP servers and how an entry for headroom's server looks there, as each
// agent's own documentation describes it. One object per agent; `install.ts` does the reading and writing.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirFrom, type Env, homeOf } from '../../agents/adapter.js';
import { type ConfigDialect, JSON_DIALECT, TOML_DIALECT } from './config-edit.js';

export type InstallScope = 'user' | 'project';

/** How headroom's server is started: the program and its arguments. */
export interface ServerCommand {
  command: string;
  args: string[];
}

/** The server name headroom registers under: the agents name its tools after it (`mcp__headroom__...`). */
export const SERVER_NAME = 'headroom';

/** The command that starts this installation's server: this Node.js running this package's CLI. */
export function thisServerCommand(): ServerCommand {
  const cli = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));
  return { command: process.execPath, args: [cli, 'mcp', 'serve'] };
}

export interface AgentRegistration {
  /** The name `--agent` takes. */
  name: string;
  /** The agent as a person knows it. */
  label: string;
  /** Its CLI, when it has one: found on the PATH, the agent counts as installed. */
  binary?: string;
  /** The file its MCP servers live in for `scope`, or a sentence saying why that scope has none. */
  configFile(scope: InstallScope, env: Env, project: string): string | { unsupported: string };
  /** A directory whose presence says the agent is set up on this machine even without its CLI. */
  homeDir(env: Env): string;
  dialect: ConfigDialect;
  /** Where the server entries sit in the file. */
  serversPath: readonly string[];
  /** The entry that starts `server`, in the agent's shape. */
  entry(server: ServerCommand): Record<string, unknown>;
  /** The command an existing entry starts, when it has one. */
  commandOf(entry: Record<string, unknown>): string[] | undefined;
  /** The agent's own commands for adding and removing a server, used when its CLI is on the PATH. */
  cli?: {
    add(server: ServerCommand, scope: InstallScope): string[];
    remove(scope: InstallScope): string[];
  };
}

const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;

/** `command` plus `args`, the shape Claude Code, Codex, Gemini CLI and Cursor share. */
const commandAndArgs = (entry: Record<string, unknown>): string[] | undefined =>
  typeof entry.command === 'string' ? [entry.command, ...(stringList(entry.args) ?? [])] : undefined;

const claudeDir = (env: Env) => dirFrom(env, 'CLAUDE_CONFIG_DIR', '.claude');

export const REGISTRATIONS: readonly AgentRegistration[] = [
  {
    name: 'claude',
    label: 'Claude Code',
    binary: 'claude',
    // User servers live in .claude.json: in CLAUDE_CONFIG_DIR when it is set, else in the home directory.
    configFile: (scope, env, project) =>
      scope === 'project'
        ? join(project, '.mcp.json')
        : env.CLAUDE_CONFIG_DIR?.trim()
          ? join(claudeDir(env), '.claude.json')
          : join(homeOf(env), '.claude.json'),
    homeDir: claudeDir,
    dialect: JSON_DIALECT,
    serversPath: ['mcpServers'],
    entry: ({ command, args }) => ({ type: 'stdio', command, args, env: {} }),
    commandOf: commandAndArgs,
    // `claude mcp add` writes the same entry, in the file Claude Code itself chose.
    cli: {
      add: ({ command, args }, scope) => [
        'mcp',
        'add',
        '--scope',
        scope,
        SERVER_NAME,
        '--',
        command,
        ...args,
      ],
      remove: (scope) => ['mcp', 'remove', '--scope', scope, SERVER_NAME],
    },
  },
  {
    name: 'codex',
    label: 'Codex',
    binary: 'codex',
    configFile: (scope, env) =>
      scope === 'project'
        ? { unsupported: 'Codex reads MCP servers from $CODEX_HOME/config.toml only (use --scope user)' }
        : join(dirFrom(env, 'CODEX_HOME', '.codex'), 'config.toml'),
    homeDir: (env) => dirFrom(env, 'CODEX_HOME', '.codex'),
    dialect: TOML_DIALECT,
    serversPath: ['mcp_servers'],
    entry: ({ command, args }) => ({ command, args }),
    commandOf: commandAndArgs,
  },
  {
    name: 'gemini',
    label: 'Gemini CLI',
    binary: 'gemini',
    configFile: (scope, env, project) =>
      scope === 'project'
        ? join(project, '.gemini', 'settings.json')
        : join(dirFrom(env, 'GEMINI_CLI_HOME', '.gemini'), 'settings.json'),
    homeDir: (env) => dirFrom(env, 'GEMINI_CLI_HOME', '.gemini'),
    dialect: JSON_DIALECT,
    serversPath: ['mcpServers'],
    entry: ({ command, args }) => ({ command, args }),
    commandOf: commandAndArgs,
  },
  {
    name: 'cursor',
    label: 'Cursor',
    binary: 'cursor-agent',
    configFile: (scope, env, project) =>
      scope === 'project' ? join(project, '.cursor', 'mcp.json') : join(homeOf(env), '.cursor', 'mcp.json'),
    homeDir: (env) => join(homeOf(env), '.cursor'),
    dialect: JSON_DIALECT,
    serversPath: ['mcpServers'],
    entry: ({ command, args }) => ({ command, args }),
    commandOf: commandAndArgs,
  },
  {
    name: 'opencode',
    label: 'OpenCode',
    binary: 'opencode',
    // The JSONC file when the user keeps one, else opencode.json.
    configFile: (scope, env, project) => {
      const dir =
        scope === 'project' ? project : join(dirFrom(env, 'XDG_CONFIG_HOME', '.config'), 'opencode');
      const jsonc = join(dir, 'opencode.jsonc');
      return existsSync(jsonc) ? jsonc : join(dir, 'opencode.json');
    },
    homeDir: (env) => join(dirFrom(env, 'XDG_CONFIG_HOME', '.config'), 'opencode'),
    dialect: JSON_DIALECT,
    serversPath: ['mcp'],
    // opencode starts a local server from one array: the program first.
    entry: ({ command, args }) => ({ type: 'local', command: [command, ...args], enabled: true }),
    commandOf: (entry) => stringList(entry.command),
  },
];
