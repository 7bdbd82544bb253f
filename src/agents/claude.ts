// Claude Code reads ANTHROPIC_BASE_URL (without `/v1`) for every model request, API key or subscription login,
// from its environment or from the `env` key of its settings files, which beat the environment; a gateway set
// either way becomes the proxy's upstream, and a settings file's is outranked by headroom's own `--settings`.
// Extra headers go in ANTHROPIC_CUSTOM_HEADERS (`Name: value` lines), added to the user's own: in the
// environment, or, when a settings file sets its own, in a private `--settings` file that outranks it.

import { writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { dirFrom, type Env, envValue, type ProcessAdapter } from './adapter.js';
import { type JsonObject, parseJsonObject, readJsonObject, stringAt } from './config-files.js';
import { mergeHeaderList } from './headers.js';

/** Settings that nothing overrides, by platform: an administrator's gateway cannot be replaced. */
const MANAGED_SETTINGS: Partial<Record<NodeJS.Platform, string>> = {
  linux: '/etc/claude-code/managed-settings.json',
  darwin: '/Library/Application Support/ClaudeCode/managed-settings.json',
};

export interface ClaudeSettingsLayer {
  /** Where the settings came from, for messages. */
  source: string;
  settings: JsonObject;
  /** Set by an administrator: nothing overrides it. */
  managed?: boolean;
}

/** The `--settings` value among the user's arguments (`--settings x` or `--settings=x`), with its index. */
function settingsArg(userArgs: readonly string[]): { index: number; value: string } | undefined {
  for (let i = userArgs.length - 1; i >= 0; i--) {
    const arg = userArgs[i] as string;
    if (arg.startsWith('--settings=')) return { index: i, value: arg.slice('--settings='.length) };
    const next = userArgs[i + 1];
    if (arg === '--settings' && next !== undefined) return { index: i, value: next };
  }
  return undefined;
}

/** A `--settings` value is inline JSON or a file path (relative to the directory Claude Code starts in). */
function readSettingsArg(value: string, cwd: string): JsonObject | undefined {
  if (value.trimStart().startsWith('{')) return parseJsonObject(value);
  return readJsonObject(isAbsolute(value) ? value : resolve(cwd, value));
}

/** Claude Code's settings, lowest precedence first: user, project, local, `--settings`, managed. */
export function claudeSettingsLayers(
  env: Env,
  cwd: string,
  userArgs: readonly string[],
  managedFile = MANAGED_SETTINGS[process.platform],
): ClaudeSettingsLayer[] {
  const files = [
    join(dirFrom(env, 'CLAUDE_CONFIG_DIR', '.claude'), 'settings.json'),
    join(cwd, '.claude', 'settings.json'),
    join(cwd, '.claude', 'settings.local.json'),
  ];
  const layers = files.map((source) => ({ source, settings: readJsonObject(source) }));
  const flag = settingsArg(userArgs);
  if (flag) layers.push({ source: '--settings', settings: readSettingsArg(flag.value, cwd) });
  const managed = managedFile && {
    source: managedFile,
    settings: readJsonObject(managedFile),
    managed: true,
  };
  return [...layers, ...(managed ? [managed] : [])].filter(
    (layer): layer is ClaudeSettingsLayer => layer.settings !== undefined,
  );
}

const baseUrlIn = (layer: ClaudeSettingsLayer) => stringAt(layer.settings, 'env', 'ANTHROPIC_BASE_URL');

/** The settings layer whose ANTHROPIC_BASE_URL Claude Code uses, when any sets one. */
function gatewayLayer(layers: ClaudeSettingsLayer[]): ClaudeSettingsLayer | undefined {
  return layers.findLast((layer) => baseUrlIn(layer) !== undefined);
}

/** The settings layer whose ANTHROPIC_CUSTOM_HEADERS Claude Code uses over its environment's, when any. */
function headersLayer(layers: ClaudeSettingsLayer[]): ClaudeSettingsLayer | undefined {
  return layers.findLast((l) => stringAt(l.settings, 'env', 'ANTHROPIC_CUSTOM_HEADERS') !== undefined);
}

/**
 * Why Claude Code cannot send the headers headroom gives it, if it cannot: managed settings that set
 * ANTHROPIC_CUSTOM_HEADERS replace every other value, headroom's `--settings` included. (A user's settings
 * file that sets them is outranked by a `--settings` file headroom writes with both.)
 */
export function claudeHeadersProblem(layers: ClaudeSettingsLayer[]): string | undefined {
  const layer = headersLayer(layers);
  if (!layer?.managed) return undefined;
  return `managed settings (${layer.source}) set env.ANTHROPIC_CUSTOM_HEADERS, which nothing can add to; ask whoever manages them to add the header`;
}

/** Write `settings` as a 0600 file in the private directory; its path, for `--settings`. */
function privateSettingsFile(privateDir: () => string, settings: JsonObject): string {
  const file = join(privateDir(), 'claude-settings.json');
  writeFileSync(file, JSON.stringify(settings), { mode: 0o600 });
  return file;
}

/** Why headroom cannot sit in front of Claude Code with these settings, if it cannot. */
export function claudeRoutingProblem(layers: ClaudeSettingsLayer[]): string | undefined {
  const layer = gatewayLayer(layers);
  if (!layer?.managed) return undefined;
  return `managed settings (${layer.source}) set env.ANTHROPIC_BASE_URL, which nothing can override; ask whoever manages them to point it at headroom`;
}

/**
 * The user's arguments with their `--settings` pointing Claude Code at the proxy, when that flag sets the base
 * URL itself (a later `--settings` would win over headroom's); otherwise headroom's flag goes first. `headers`:
 * the ANTHROPIC_CUSTOM_HEADERS value to set there too, when a settings layer sets its own (which beats the
 * environment's); settings carrying it go in a private file, never in the arguments.
 */
function argsThroughProxy(
  proxyUrl: string,
  userArgs: readonly string[],
  cwd: string,
  layers: ClaudeSettingsLayer[],
  headers?: { value: string; privateDir: () => string },
) {
  const ours = (settings: JsonObject = {}) => {
    const env = typeof settings.env === 'object' && settings.env !== null ? settings.env : {};
    const merged = {
      ...settings,
      env: {
        ...env,
        ANTHROPIC_BASE_URL: proxyUrl,
        ...(headers && { ANTHROPIC_CUSTOM_HEADERS: headers.value }),
      },
    };
    return headers ? privateSettingsFile(headers.privateDir, merged) : JSON.stringify(merged);
  };
  const flag = settingsArg(userArgs);
  const fromFlag = flag && readSettingsArg(flag.value, cwd);
  const flagSets = (name: string) => fromFlag !== undefined && stringAt(fromFlag, 'env', name) !== undefined;
  if (
    flag &&
    fromFlag &&
    (flagSets('ANTHROPIC_BASE_URL') || (headers && flagSets('ANTHROPIC_CUSTOM_HEADERS')))
  ) {
    const args = [...userArgs];
    if (args[flag.index] === '--settings') args[flag.index + 1] = ours(fromFlag);
    else args[flag.index] = `--settings=${ours(fromFlag)}`;
    return args;
  }
  return gatewayLayer(layers) || headers ? ['--settings', ours(), ...userArgs] : [...userArgs];
}

/**
 * Claude Code's tool search, unless the user chose: with `ENABLE_TOOL_SEARCH=true` (read by 2.1.0) it sends MCP
 * tool definitions deferred (`defer_loading`), loaded into the model's context only once its search tool finds
 * them. `auto` defers only once the tools' descriptions alone pass 10% of the context window (50,000 characters
 * for a 200k model), which 60 tools of a few sentences each do not reach although their schemas cost 18,000
 * tokens a request. A value in a settings file's `env` still wins: Claude Code applies those over its environment.
 */
function deferredToolSchemas(env: Env): Record<string, string> {
  return env.ENABLE_TOOL_SEARCH === undefined ? { ENABLE_TOOL_SEARCH: 'true' } : {};
}

export const claude: ProcessAdapter = {
  kind: 'process',
  name: 'claude',
  title: 'Claude Code',
  binary: 'claude',
  install: 'npm i -g @anthropic-ai/claude-code',
  editTools: ['MultiEdit', 'NotebookEdit'],
  readTools: ['NotebookRead'],
  cannotRoute: (env, cwd, userArgs) => claudeRoutingProblem(claudeSettingsLayers(env, cwd, userArgs)),
  adoptUpstreams: (env, cwd, userArgs) => {
    const layer = gatewayLayer(claudeSettingsLayers(env, cwd, userArgs));
    const base = (layer && baseUrlIn(layer)) ?? envValue(env, 'ANTHROPIC_BASE_URL');
    return base ? { anthropicUpstream: base } : {};
  },
  upstreamsUsed: () => ['anthropicUpstream'],
  sessionLogDirs: (env) => [join(dirFrom(env, 'CLAUDE_CONFIG_DIR', '.claude'), 'projects')],
  canSendHeaders: (env, cwd, userArgs) =>
    claudeHeadersProblem(claudeSettingsLayers(env, cwd, userArgs)) ?? true,
  launch: (proxyUrl, env, userArgs, cwd, headers = {}, privateDir) => {
    const layers = claudeSettingsLayers(env, cwd, userArgs);
    const extra = Object.keys(headers).length > 0;
    // A settings file's headers beat the environment's: headroom's own `--settings` then carries both.
    const layer = extra ? headersLayer(layers) : undefined;
    const inSettings =
      layer && privateDir
        ? {
            value: mergeHeaderList(
              stringAt(layer.settings, 'env', 'ANTHROPIC_CUSTOM_HEADERS'),
              headers,
              '\n',
            ),
            privateDir,
          }
        : undefined;
    return {
      env: {
        ANTHROPIC_BASE_URL: proxyUrl,
        ...deferredToolSchemas(env),
        ...(extra && {
          ANTHROPIC_CUSTOM_HEADERS: mergeHeaderList(env.ANTHROPIC_CUSTOM_HEADERS, headers, '\n'),
        }),
      },
      args: argsThroughProxy(proxyUrl, userArgs, cwd, layers, inSettings),
    };
  },
};
