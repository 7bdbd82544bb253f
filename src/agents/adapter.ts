// What an agent adapter declares: the binary to run, the environment and arguments that point it at the
// proxy, the base URLs the user already set (in the environment or the agent's own config files: they become
// the proxy's upstreams), and where its logs live. The working directory and the user's arguments are passed
// beside the environment because agents read project config files and take config flags.

import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { ProxyHeaders } from './headers.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Upstream base URLs taken over from the agent's own environment or config, by config setting name. */
export type AdoptedUpstreams = Partial<
  Pick<Config, 'anthropicUpstream' | 'openaiUpstream' | 'geminiUpstream'>
>;

export type UpstreamSetting = keyof AdoptedUpstreams;

/** How to start the agent so its model traffic goes through the proxy. */
export interface LaunchPlan {
  /** Variables set (or replaced) in the agent's environment; everything else passes through unchanged. */
  env: Record<string, string>;
  /** The full argument list: the adapter's own arguments first, then the user's. */
  args: string[];
}

interface AdapterBase {
  /** Name used on the command line (`headroom wrap <name>`). */
  name: string;
  /** Product name for messages. */
  title: string;
  /** How to install the agent. */
  install: string;
  /**
   * Base URLs the user already pointed the agent at, read as the agent reads them (its environment, its config
   * files under `cwd` and home, the user's `userArgs`); the proxy forwards there instead of the public API.
   */
  adoptUpstreams(env: Env, cwd: string, userArgs: readonly string[]): AdoptedUpstreams;
  /** Upstreams the agent's traffic will use, checked for reachability before it starts. */
  upstreamsUsed(env: Env, cwd: string, userArgs: readonly string[]): UpstreamSetting[];
  /** Directories where the agent keeps its session transcripts. */
  sessionLogDirs(env: Env): string[];
  /** Why the proxy cannot sit in front of the agent as the user has it set up, if it cannot. */
  cannotRoute?(env: Env, cwd: string, userArgs: readonly string[]): string | undefined;
  /**
   * The agent's own editing and file-reading tools, beyond the generic names the engine knows: their
   * outputs pass whole, since the model edits by the exact text they show.
   */
  editTools?: readonly string[];
  readTools?: readonly string[] /**
   * The agent carrying the user's own subscription through the proxy, which signs in to the provider itself
   * (`wrap <agent> --subscription`); absent when headroom cannot.
   */;
  subscription?: ProcessAdapter;
}

/** An agent headroom runs as a child process with its environment pointed at the proxy. */
export interface ProcessAdapter extends AdapterBase {
  kind: 'process';
  /** Executable name looked up on PATH. */
  binary: string;
  /**
   * Whether `launch` can make every model request carry the extra `headers` it is given, as the user has the
   * agent set up: true, or why not. Absent when the agent has no way to send extra headers.
   */
  canSendHeaders?(env: Env, cwd: string, userArgs: readonly string[]): true | string;
  /**
   * `proxyUrl` is the proxy's base URL without a trailing slash (it may end in a `/s/<session>` prefix); `cwd`
   * is the directory the agent starts in; `headers` (only given when `canSendHeaders` said true) go with every
   * model request, through the environment or a private file, never the arguments, which other users of the
   * machine can list. `privateDir` makes (once) and names a 0700 directory for such files, removed when the
   * agent has exited.
   */
  launch(
    proxyUrl: string,
    env: Env,
    userArgs: readonly string[],
    cwd: string,
    headers?: ProxyHeaders,
    privateDir?: () => string,
  ): LaunchPlan;
}

/** An agent that cannot be pointed at a base URL from outside: headroom serves and prints the settings. */
export interface ManualAdapter extends AdapterBase {
  kind: 'manual';
  /** Lines telling the user what to paste where. */
  instructions(proxyUrl: string): string[];
}

export type AgentAdapter = ProcessAdapter | ManualAdapter;

/** The value of `name` when it is set and not blank. */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** The user's home directory as the agent will see it. */
export function homeOf(env: Env): string {
  return envValue(env, 'HOME') ?? homedir();
}

/** `dir` from an override variable, else `home/...fallback`. */
export function dirFrom(env: Env, variable: string, ...fallback: string[]): string {
  return envValue(env, variable) ?? join(homeOf(env), ...fallback);
}

/** The upstream settings whose variables the user set, e.g. `{ anthropicUpstream: 'ANTHROPIC_BASE_URL' }`. */
export function upstreamsFromEnv(
  env: Env,
  variables: Partial<Record<UpstreamSetting, readonly string[]>>,
): AdoptedUpstreams {
  const adopted: AdoptedUpstreams = {};
  for (const [setting, names] of Object.entries(variables) as [UpstreamSetting, readonly string[]][]) {
    const value = names.map((name) => envValue(env, name)).find(Boolean);
    if (value) adopted[setting] = value;
  }
  return adopted;
}

/**
 * The base URL to give an agent whose own base was `userBase`: the proxy joins its upstream's path to the
 * request's without doubling `/v1`, so the agent's base keeps a trailing `/v1` only when the user's had one.
 */
export function proxyBaseFor(proxyUrl: string, userBase: string): string {
  let path = '';
  try {
    path = new URL(userBase).pathname.replace(/\/+$/, '');
  } catch {
    // Not a URL the agent could use either; the proxy's usual base stands.
    return `${proxyUrl}/v1`;
  }
  return path.endsWith('/v1') ? `${proxyUrl}/v1` : proxyUrl;
}
