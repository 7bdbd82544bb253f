// The base every headroom command extends: shared flags, config resolution, one-line errors, and Ctrl-C.
// A HeadroomError ends the process with its exit code and a single `headroom: ...` line; so does a signal.

import { Command, Errors, Flags } from '@oclif/core';
import { type FlagValues, type ResolvedConfig, resolveConfig } from './config.js';
import { HeadroomError, signalExitCode } from './errors.js';

/** Flags every command that starts or talks to a proxy understands. */
export const proxyFlags = {
  port: Flags.integer({
    char: 'p',
    description: 'Port to listen on (0 picks a free port) [env: HEADROOM_PORT]',
  }),
  host: Flags.string({
    description: 'Address to bind; non-loopback needs HEADROOM_API_KEY [env: HEADROOM_HOST]',
  }),
  'cache-dir': Flags.string({
    description: 'Directory for the stats and originals store [env: HEADROOM_CACHE_DIR]',
  }),
  store: Flags.string({
    description:
      'Where originals and stats are kept: sqlite, sqlite:/abs/dir or redis://host:port/db [env: HEADROOM_STORE]',
  }),
  'anthropic-upstream': Flags.string({
    description: 'Anthropic API base URL to forward to [env: HEADROOM_ANTHROPIC_UPSTREAM]',
  }),
  'openai-upstream': Flags.string({
    description: 'OpenAI-compatible API base URL to forward to [env: HEADROOM_OPENAI_UPSTREAM]',
  }),
  'gemini-upstream': Flags.string({
    description: 'Gemini API base URL to forward to [env: HEADROOM_GEMINI_UPSTREAM]',
  }),
  compress: Flags.boolean({
    allowNo: true,
    description: 'Compress tool outputs (--no-compress forwards requests unchanged) [env: HEADROOM_COMPRESS]',
  }),
  'min-tokens': Flags.integer({
    description: 'Leave tool outputs under this many tokens untouched [env: HEADROOM_MIN_TOKENS]',
  }),
  'budget-bytes': Flags.integer({
    description: 'Characters of tool output compressed per request [env: HEADROOM_BUDGET_BYTES]',
  }),
  'budget-ms': Flags.integer({
    description:
      'Fail-safe: ms of compression per request, past which the rest goes as is [env: HEADROOM_BUDGET_MS]',
  }),
  'exclude-tools': Flags.string({
    description: 'Comma-separated tool names never to compress [env: HEADROOM_EXCLUDE_TOOLS]',
  }),
  'disable-transforms': Flags.string({
    description: 'Comma-separated transforms to switch off [env: HEADROOM_DISABLE_TRANSFORMS]',
  }),
  history: Flags.string({
    options: ['off', 'cold', 'always'],
    description:
      'When old tool outputs become stubs: at a cold prompt cache or near the window (cold), whenever it pays (always), never (off) [env: HEADROOM_HISTORY]',
  }),
  memory: Flags.boolean({
    allowNo: true,
    description:
      'Offer the memory tools and add relevant memories to the newest user turn [env: HEADROOM_MEMORY]',
  }),
  'memory-scope': Flags.string({
    options: ['project', 'user'],
    description:
      "Whose memories: the agent's project directory (project) or one pool for all (user) [env: HEADROOM_MEMORY_SCOPE]",
  }),
  verbosity: Flags.string({
    description:
      'Ask the model for shorter answers: off, 1-4, normal, terse, minimal (a note at the tail of the system prompt) [env: HEADROOM_VERBOSITY]',
  }),
  'effort-routing': Flags.boolean({
    description:
      'Lower the reasoning effort a request sets on turns that only carry successful tool results [env: HEADROOM_EFFORT_ROUTING]',
  }),
  verbose: Flags.boolean({ char: 'v', description: 'Log one line per request (sets log level debug)' }),
};

/** Where the Copilot subscription's GitHub API and Copilot API are, for the commands that sign in to them. */
export const copilotEndpointFlags = {
  'github-api-url': Flags.string({
    description:
      "GitHub's API base URL for the Copilot token exchange (default: the login domain's API) [env: HEADROOM_GITHUB_API_URL]",
  }),
  'copilot-api-url': Flags.string({
    description:
      'Copilot API base URL (default: the endpoint the token exchange names) [env: HEADROOM_COPILOT_API_URL]',
  }),
};

/** Map parsed Copilot endpoint flags onto config setting names. */
export function copilotFlagsToConfig(flags: {
  'github-api-url'?: string;
  'copilot-api-url'?: string;
}): FlagValues {
  return { githubApiUrl: flags['github-api-url'], copilotApiUrl: flags['copilot-api-url'] };
}

/** Flags of the `headroom memory` commands: whose memories they read and write. */
export const memoryScopeFlags = {
  scope: Flags.string({
    options: ['project', 'user', 'all'],
    description:
      'Whose memories: the project directory (project), the one pool of --memory-scope user (user), or every scope (all) [default: HEADROOM_MEMORY_SCOPE, else project]',
  }),
  project: Flags.string({
    description: 'The project directory of --scope project [default: the current directory]',
  }),
  'cache-dir': proxyFlags['cache-dir'],
};

type ProxyFlagValues = {
  port?: number;
  host?: string;
  'cache-dir'?: string;
  store?: string;
  'anthropic-upstream'?: string;
  'openai-upstream'?: string;
  'gemini-upstream'?: string;
  compress?: boolean;
  'min-tokens'?: number;
  'budget-bytes'?: number;
  'budget-ms'?: number;
  'exclude-tools'?: string;
  'disable-transforms'?: string;
  history?: string;
  memory?: boolean;
  'memory-scope'?: string;
  verbosity?: string;
  'effort-routing'?: boolean;
  verbose?: boolean;
};

const splitList = (s: string | undefined) =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

/** Map parsed proxy flags onto config setting names (flags win over everything else). */
export function proxyFlagsToConfig(flags: ProxyFlagValues): FlagValues {
  return {
    port: flags.port,
    host: flags.host,
    cacheDir: flags['cache-dir'],
    store: flags.store,
    anthropicUpstream: flags['anthropic-upstream'],
    openaiUpstream: flags['openai-upstream'],
    geminiUpstream: flags['gemini-upstream'],
    compress: flags.compress,
    minTokens: flags['min-tokens'],
    budgetBytes: flags['budget-bytes'],
    budgetMs: flags['budget-ms'],
    excludeTools: splitList(flags['exclude-tools']),
    disableTransforms: splitList(flags['disable-transforms']),
    history: flags.history as FlagValues['history'],
    memory: flags.memory,
    memoryScope: flags['memory-scope'] as FlagValues['memoryScope'],
    verbosity: flags.verbosity as FlagValues['verbosity'],
    effortRouting: flags['effort-routing'] || undefined,
    logLevel: flags.verbose ? 'debug' : undefined,
  };
}

const STOP_SIGNALS = { SIGINT: 'interrupted', SIGTERM: 'terminated' } as const;

/**
 * End the process on SIGINT or SIGTERM with one line and the exit code a shell gives (130, 143). Needed
 * because a library that cleans up on exit (the config file's atomic writes) listens for these signals,
 * and a listener turns off the default of dying at once: without this, a command would stop only when its
 * work ran out, whatever the user pressed.
 */
function stopOnSignals(): void {
  for (const [signal, what] of Object.entries(STOP_SIGNALS) as [NodeJS.Signals, string][]) {
    process.once(signal, () => {
      process.stderr.write(`headroom: ${what} (${signal})\n`);
      process.exit(signalExitCode(signal));
    });
  }
}

export abstract class HeadroomCommand extends Command {
  /** Set by a command that winds down its own way on SIGINT and SIGTERM (the proxy, wrap). */
  static handlesSignals = false;

  override async init(): Promise<void> {
    await super.init();
    // A file-size limit (`ulimit -f`) would kill the command mid-write; handled, the write fails as on a
    // full disk, and the command says so in one line.
    process.on('SIGXFSZ', () => {});
    if (!(this.constructor as typeof HeadroomCommand).handlesSignals) stopOnSignals();
  }

  protected resolve(flags: FlagValues = {}): ResolvedConfig {
    return resolveConfig(flags);
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    if (error instanceof HeadroomError) {
      process.stderr.write(`headroom: ${error.message}\n`);
      if (process.env.HEADROOM_DEBUG && error.cause) process.stderr.write(`${String(error.cause)}\n`);
      this.exit(error.exitCode);
    }
    // Everything else is one line too: a usage error oclif found (a bad flag, a missing argument) exits 2,
    // anything unforeseen 1; HEADROOM_DEBUG=1 adds the stack.
    const usage = error instanceof Errors.CLIError && !(error instanceof HeadroomError);
    process.stderr.write(`headroom: ${oneLine(error)}\n`);
    if (process.env.HEADROOM_DEBUG && error.stack) process.stderr.write(`${error.stack}\n`);
    return this.exit(usage ? 2 : 1);
  }
}

/** An error's message as one line: oclif's blocks (`Expected …\nSee more help with --help`) keep their first. */
function oneLine(error: Error): string {
  const lines = String(error.message ?? error)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help with/.test(line));
  // `Missing 1 required arg:` names the argument on its next line.
  if (lines[0]?.endsWith(':') && lines[1]) return `${lines[0]} ${lines[1]}`;
  return lines[0] ?? error.name;
}
