// opencode merges its config files (global, OPENCODE_CONFIG, the project's) and then OPENCODE_CONFIG_CONTENT
// over them, so headroom reads them all to adopt a provider baseURL the user set as the upstream, and sets the
// anthropic and openai providers' baseURL in OPENCODE_CONFIG_CONTENT, leaving every config file alone. Extra
// headers go in those providers' `options.headers` there, which opencode hands to the provider SDK.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  type AdoptedUpstreams,
  dirFrom,
  type Env,
  envValue,
  type ProcessAdapter,
  proxyBaseFor,
} from './adapter.js';
import {
  isObject,
  type JsonObject,
  mergeLayers,
  parseJsonObject,
  readJsonObject,
  stringAt,
} from './config-files.js';
import { mergeHeaderMap } from './headers.js';

/** The user's own OPENCODE_CONFIG_CONTENT, or an empty object when it is unset or not a JSON object. */
function userConfig(env: Env): JsonObject {
  const raw = envValue(env, 'OPENCODE_CONFIG_CONTENT');
  return (raw && parseJsonObject(raw)) || {};
}

const CONFIG_NAMES = ['opencode.jsonc', 'opencode.json'];

/** Project config files from the git root (or the filesystem root) down to `cwd`, the nearest last. */
function projectFiles(cwd: string): string[] {
  const files: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    files.unshift(...CONFIG_NAMES.map((name) => join(dir, name)).reverse());
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return files;
  }
}

/** opencode's config as it will run, lowest precedence first: global, OPENCODE_CONFIG, project, inline. */
export function opencodeConfig(env: Env, cwd: string): JsonObject {
  const global = dirFrom(env, 'XDG_CONFIG_HOME', '.config');
  const files = [
    ...['config.json', ...CONFIG_NAMES].map((name) => join(global, 'opencode', name)),
    ...(envValue(env, 'OPENCODE_CONFIG') ? [resolve(cwd, envValue(env, 'OPENCODE_CONFIG') as string)] : []),
    ...projectFiles(cwd),
  ];
  const layers = files.map(readJsonObject).filter((layer) => layer !== undefined);
  return [...layers, userConfig(env)].reduce(mergeLayers, {});
}

const PROVIDERS = [
  { id: 'anthropic', setting: 'anthropicUpstream', variable: 'ANTHROPIC_BASE_URL' },
  { id: 'openai', setting: 'openaiUpstream', variable: 'OPENAI_BASE_URL' },
] as const;

const configuredBaseUrl = (config: JsonObject, provider: string) =>
  stringAt(config, 'provider', provider, 'options', 'baseURL');

export const opencode: ProcessAdapter = {
  kind: 'process',
  name: 'opencode',
  title: 'opencode',
  binary: 'opencode',
  install: 'npm i -g opencode-ai',
  adoptUpstreams: (env, cwd) => {
    const config = opencodeConfig(env, cwd);
    const adopted: AdoptedUpstreams = {};
    for (const { id, setting, variable } of PROVIDERS) {
      const base = configuredBaseUrl(config, id) ?? envValue(env, variable);
      if (base) adopted[setting] = base;
    }
    return adopted;
  },
  upstreamsUsed: (env) =>
    PROVIDERS.filter(({ id }) => envValue(env, `${id.toUpperCase()}_API_KEY`)).map((p) => p.setting),
  sessionLogDirs: (env) => [join(dirFrom(env, 'XDG_DATA_HOME', '.local', 'share'), 'opencode', 'storage')],
  canSendHeaders: () => true,
  launch: (proxyUrl, env, userArgs, cwd, headers = {}) => {
    const config = userConfig(env);
    const effective = opencodeConfig(env, cwd);
    const providers: JsonObject = isObject(config.provider) ? { ...config.provider } : {};
    for (const { id } of PROVIDERS) {
      const existing = isObject(providers[id]) ? providers[id] : {};
      const options = isObject(existing.options) ? existing.options : {};
      const own = configuredBaseUrl(effective, id);
      const baseURL = own ? proxyBaseFor(proxyUrl, own) : `${proxyUrl}/v1`;
      const sent = Object.keys(headers).length > 0 && { headers: mergeHeaderMap(options.headers, headers) };
      providers[id] = { ...existing, options: { ...options, baseURL, ...sent } };
    }
    return {
      env: { OPENCODE_CONFIG_CONTENT: JSON.stringify({ ...config, provider: providers }) },
      args: [...userArgs],
    };
  },
};
