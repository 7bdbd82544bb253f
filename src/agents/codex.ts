// Codex ignores OPENAI_BASE_URL for its own provider, so headroom defines a per-run `headroom` model provider
// with `-c` overrides (plain HTTP); ~/.codex/config.toml is never touched. When the user's config selects a
// provider of their own (`model_provider` and its `[model_providers.<id>]` table, in the system or the user's
// config, a `--profile` layer, `-c`),
// its base_url becomes the upstream and the headroom provider copies the rest of it: key, wire API, headers.
// Extra headers go in the provider's `env_http_headers`, which names variables holding their values, so no
// value appears in Codex's arguments.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import {
  dirFrom,
  type Env,
  envValue,
  type ProcessAdapter,
  proxyBaseFor,
  upstreamsFromEnv,
} from './adapter.js';
import { isObject, type JsonObject, mergeLayers, stringAt } from './config-files.js';
import { headerVariable, mergeHeaderMap, type ProxyHeaders } from './headers.js';

/** Where Codex sends requests for a ChatGPT sign-in (its Responses endpoint lives under this base). */
export const CHATGPT_CODEX_BASE = 'https://chatgpt.com/backend-api/codex';

const codexHome = (env: Env) => dirFrom(env, 'CODEX_HOME', '.codex');

/**
 * How Codex will authenticate: a key in the environment, or what `codex login` stored (an API key, or a
 * ChatGPT sign-in whose requests go to the ChatGPT backend rather than api.openai.com).
 */
export function codexAuth(env: Env): 'env-key' | 'stored-key' | 'chatgpt' {
  if (envValue(env, 'OPENAI_API_KEY')) return 'env-key';
  try {
    const stored: unknown = JSON.parse(readFileSync(join(codexHome(env), 'auth.json'), 'utf8'));
    if (typeof stored === 'object' && stored !== null) {
      const { OPENAI_API_KEY: key, tokens } = stored as Record<string, unknown>;
      if (!key && typeof tokens === 'object' && tokens !== null) return 'chatgpt';
    }
  } catch {
    // No stored login (or an unreadable one): Codex itself will say what is missing.
  }
  return 'stored-key';
}

function readToml(file: string): JsonObject | undefined {
  try {
    return parseToml(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The value of `--name v`, `--name=v` or `-short v` among the user's arguments, the last one winning. */
function flagValues(userArgs: readonly string[], long: string, short: string): string[] {
  const values: string[] = [];
  userArgs.forEach((arg, i) => {
    const next = userArgs[i + 1];
    if ((arg === long || arg === short) && next !== undefined) values.push(next);
    else if (arg.startsWith(`${long}=`)) values.push(arg.slice(long.length + 1));
  });
  return values;
}

/** A `-c key=value` value as Codex reads it: TOML, or the text itself when it is not valid TOML. */
function overrideValue(text: string): unknown {
  try {
    return parseToml(`value = ${text}`).value;
  } catch {
    return text;
  }
}

/** The user's `-c key.path=value` overrides as one config layer. */
function overridesLayer(userArgs: readonly string[]): JsonObject {
  let layer: JsonObject = {};
  for (const override of flagValues(userArgs, '--config', '-c')) {
    const eq = override.indexOf('=');
    if (eq <= 0) continue;
    const keys = override.slice(0, eq).trim().split('.');
    const value = keys.reduceRight<unknown>(
      (inner, key) => ({ [key]: inner }),
      overrideValue(override.slice(eq + 1)),
    );
    if (isObject(value)) layer = mergeLayers(layer, value);
  }
  return layer;
}

/** The machine-wide layer Codex reads under every user's own config. */
export const CODEX_SYSTEM_CONFIG = '/etc/codex/config.toml';
/** The machine-wide layer Codex reads last, above even its `-c` overrides: what it sets, no flag changes. */
export const CODEX_MANAGED_CONFIG = '/etc/codex/managed_config.toml';

/** Where Codex's machine-wide layers are (other paths only in tests). */
export interface CodexFiles {
  system?: string;
  managed?: string;
}

/**
 * Codex's config as it will run: the system layer (`/etc/codex/config.toml`), then `$CODEX_HOME/config.toml`,
 * then the `--profile` layer (`$CODEX_HOME/<name>.config.toml`, or a `[profiles.<name>]` table in older
 * configs, also chosen by a top-level `profile`), then the user's `-c` overrides, then the managed layer.
 */
export function codexConfig(env: Env, userArgs: readonly string[], files: CodexFiles = {}): JsonObject {
  const system = readToml(files.system ?? CODEX_SYSTEM_CONFIG) ?? {};
  const base = mergeLayers(system, readToml(join(codexHome(env), 'config.toml')) ?? {});
  const profile = flagValues(userArgs, '--profile', '-p').at(-1) ?? stringAt(base, 'profile');
  const profileTable = profile && isObject(base.profiles) ? base.profiles[profile] : undefined;
  const profileLayer =
    (profile && readToml(join(codexHome(env), `${profile}.config.toml`))) ||
    (isObject(profileTable) ? profileTable : {});
  const flagged = mergeLayers(mergeLayers(base, profileLayer), overridesLayer(userArgs));
  return mergeLayers(flagged, readToml(files.managed ?? CODEX_MANAGED_CONFIG) ?? {});
}

/**
 * The provider the managed layer makes Codex use whatever its flags say, and whether that layer also sets
 * the provider's base URL (then no flag can point Codex at the proxy).
 */
function managedProvider(files: CodexFiles): { id: string; pinned: boolean } | undefined {
  const managed = readToml(files.managed ?? CODEX_MANAGED_CONFIG) ?? {};
  const id = stringAt(managed, 'model_provider');
  if (!id) return undefined;
  const table = isObject(managed.model_providers) ? managed.model_providers[id] : undefined;
  return { id, pinned: isObject(table) && stringAt(table, 'base_url') !== undefined };
}

/** The model provider of the user's own that Codex will use, when it names a base URL. */
export function codexUserProvider(
  env: Env,
  userArgs: readonly string[],
  files: CodexFiles = {},
): JsonObject | undefined {
  const config = codexConfig(env, userArgs, files);
  const id = stringAt(config, 'model_provider');
  const table = id && isObject(config.model_providers) ? config.model_providers[id] : undefined;
  return isObject(table) && stringAt(table, 'base_url') ? table : undefined;
}

const tomlKey = (key: string) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key));

/** A value written as TOML for a `-c` override: JSON's strings, numbers and booleans are TOML's too. */
function inlineToml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineToml).join(',')}]`;
  if (isObject(value)) {
    const pairs = Object.entries(value).map(([key, inner]) => `${tomlKey(key)}=${inlineToml(inner)}`);
    return `{${pairs.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The provider table headroom defines for this run: the user's own when they have one, at the proxy. */
function providerTable(
  proxyUrl: string,
  env: Env,
  userArgs: readonly string[],
  files: CodexFiles,
): JsonObject {
  const own = codexUserProvider(env, userArgs, files);
  if (own) {
    const base = proxyBaseFor(proxyUrl, stringAt(own, 'base_url') as string);
    return { ...own, name: stringAt(own, 'name') ?? 'headroom', base_url: base };
  }
  const auth = codexAuth(env);
  // The ChatGPT backend serves `<base>/responses` with no `/v1`, so the provider base is the bare proxy URL.
  const base = auth === 'chatgpt' && !envValue(env, 'OPENAI_BASE_URL') ? proxyUrl : `${proxyUrl}/v1`;
  const credentials = auth === 'env-key' ? { env_key: 'OPENAI_API_KEY' } : { requires_openai_auth: true };
  return { name: 'headroom', base_url: base, ...credentials, wire_api: 'responses' };
}

/**
 * `provider` sending `headers` too: each named in `env_http_headers` after a variable that holds its value
 * (Codex applies those after `http_headers`, so they win over a static header of the same name).
 */
function withHeaders(provider: JsonObject, headers: ProxyHeaders): JsonObject {
  if (Object.keys(headers).length === 0) return provider;
  const variables = Object.fromEntries(Object.keys(headers).map((name) => [name, headerVariable(name)]));
  return { ...provider, env_http_headers: mergeHeaderMap(provider.env_http_headers, variables) };
}

/** The user's arguments less their `-c model_provider=…`, which would take the agent off the proxy. */
function withoutProviderChoice(userArgs: readonly string[]): string[] {
  const choosesProvider = (override: string | undefined) => /^\s*model_provider\s*=/.test(override ?? '');
  return userArgs.filter((arg, i) => {
    if ((arg === '-c' || arg === '--config') && choosesProvider(userArgs[i + 1])) return false;
    if ((userArgs[i - 1] === '-c' || userArgs[i - 1] === '--config') && choosesProvider(arg)) return false;
    return !(arg.startsWith('--config=') && choosesProvider(arg.slice('--config='.length)));
  });
}

/** The Codex adapter, reading the machine-wide layers at `files` (the real paths unless a test moves them). */
export function codexAdapter(files: CodexFiles = {}): ProcessAdapter {
  return {
    kind: 'process',
    name: 'codex',
    title: 'Codex CLI',
    binary: 'codex',
    install: 'npm i -g @openai/codex',
    cannotRoute: (env, _cwd, userArgs) => {
      const managed = managedProvider(files);
      if (!managed || managed.id === 'headroom') return undefined;
      const file = files.managed ?? CODEX_MANAGED_CONFIG;
      if (managed.pinned)
        return `${file} sets model_providers.${managed.id}.base_url, which Codex ranks above any -c override, so its requests would bypass the proxy`;
      if (!codexUserProvider(env, userArgs, files))
        return `${file} selects Codex's built-in provider "${managed.id}", whose address no -c override can change`;
      return undefined;
    },
    adoptUpstreams: (env, _cwd, userArgs) => {
      const own = stringAt(codexUserProvider(env, userArgs, files), 'base_url');
      if (own) return { openaiUpstream: own };
      const fromEnv = upstreamsFromEnv(env, { openaiUpstream: ['OPENAI_BASE_URL'] });
      if (fromEnv.openaiUpstream || codexAuth(env) !== 'chatgpt') return fromEnv;
      return { openaiUpstream: CHATGPT_CODEX_BASE };
    },
    upstreamsUsed: () => ['openaiUpstream'],
    sessionLogDirs: (env) => [join(codexHome(env), 'sessions')],
    canSendHeaders: () => true,
    launch: (proxyUrl, env, userArgs, _cwd, headers = {}) => {
      // A provider the managed layer selects stays selected: headroom points that one at the proxy.
      const id = managedProvider(files)?.id ?? 'headroom';
      const table = withHeaders(providerTable(proxyUrl, env, userArgs, files), headers);
      return {
        env: {
          OPENAI_BASE_URL: `${proxyUrl}/v1`,
          ...Object.fromEntries(
            Object.entries(headers).map(([name, value]) => [headerVariable(name), value]),
          ),
        },
        args: [
          '-c',
          `model_provider=${JSON.stringify(id)}`,
          '-c',
          `model_providers.${tomlKey(id)}=${inlineToml(table)}`,
          ...withoutProviderChoice(userArgs),
        ],
      };
    },
  };
}

export const codex: ProcessAdapter = codexAdapter();
