// opencode takes extra configuration as JSON in OPENCODE_CONFIG_CONTENT (merged over the user's files), so
// headroom sets the anthropic and openai providers' baseURL there and leaves every config file alone.

import { join } from 'node:path';
import { type AdoptedUpstreams, dirFrom, type Env, envValue, type ProcessAdapter } from './adapter.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The user's own OPENCODE_CONFIG_CONTENT, or an empty object when it is unset or not a JSON object. */
function userConfig(env: Env): Json {
  const raw = envValue(env, 'OPENCODE_CONFIG_CONTENT');
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

const PROVIDERS = [
  { id: 'anthropic', setting: 'anthropicUpstream', variable: 'ANTHROPIC_BASE_URL' },
  { id: 'openai', setting: 'openaiUpstream', variable: 'OPENAI_BASE_URL' },
] as const;

function configuredBaseUrl(config: Json, provider: string): string | undefined {
  const options =
    isObject(config.provider) && isObject(config.provider[provider]) ? config.provider[provider] : {};
  const inner = isObject(options.options) ? options.options : {};
  return typeof inner.baseURL === 'string' && inner.baseURL ? inner.baseURL : undefined;
}

export const opencode: ProcessAdapter = {
  kind: 'process',
  name: 'opencode',
  title: 'opencode',
  binary: 'opencode',
  install: 'npm i -g opencode-ai',
  adoptUpstreams: (env) => {
    const config = userConfig(env);
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
  launch: (proxyUrl, env, userArgs) => {
    const config = userConfig(env);
    const providers: Json = isObject(config.provider) ? { ...config.provider } : {};
    for (const { id } of PROVIDERS) {
      const existing = isObject(providers[id]) ? providers[id] : {};
      const options = isObject(existing.options) ? existing.options : {};
      providers[id] = { ...existing, options: { ...options, baseURL: `${proxyUrl}/v1` } };
    }
    return {
      env: { OPENCODE_CONFIG_CONTENT: JSON.stringify({ ...config, provider: providers }) },
      args: [...userArgs],
    };
  },
};
