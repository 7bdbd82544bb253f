// One place that decides every setting: flags > HEADROOM_* environment > config file > defaults.
// Commands pass their parsed flags in; core modules receive the resolved, typed Config.

import { join } from 'node:path';
import Conf from 'conf';
import envPaths from 'env-paths';
import { ENGINE_DEFAULTS, SWITCHABLE_TRANSFORMS } from './compress/defaults.js';
import { ConfigError } from './errors.js';
import { MEMORY_SCOPES, type MemoryScopeMode } from './memory/scope.js';
import { ensurePrivateDir } from './private-dir.js';
import { STORE_DEFAULTS } from './store/defaults.js';

const paths = envPaths('headroom', { suffix: '' });

type Kind = 'string' | 'number' | 'boolean' | 'list';

interface SettingSpec {
  kind: Kind;
  env: string;
  description: string;
  default: () => string | number | boolean | string[] | undefined;
  /** What a value must be, beyond its kind: undefined when it is fine, else what it must be. */
  check?: (value: never) => string | undefined;
}

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'];

/** When old tool outputs may become stubs: `off` never; `cold` at cold caches and near the window; `always` whenever it pays. */
export type HistoryMode = 'off' | 'cold' | 'always';

export const HISTORY_MODES: readonly HistoryMode[] = ['off', 'cold', 'always'];

/** When the learned text scorer runs: `off` never; `auto` when a model is set and loads; `on` also says why not. */
export type KompressMode = 'off' | 'auto' | 'on';

export const KOMPRESS_MODES: readonly KompressMode[] = ['off', 'auto', 'on'];

/** How terse the model is asked to be: `off`, or a level from 1 (mild) to 4 (conclusions only). */
export type VerbosityLevel = 'off' | '1' | '2' | '3' | '4';

/** The words a level may also be given as. */
export const VERBOSITY_ALIASES: Readonly<Record<string, VerbosityLevel>> = {
  normal: '1',
  terse: '2',
  minimal: '3',
};

const VERBOSITY_LEVELS: readonly VerbosityLevel[] = ['off', '1', '2', '3', '4'];

/** The effort a mechanical-continuation turn is lowered to. */
export type EffortLevel = 'minimal' | 'low' | 'medium';

export const EFFORT_LEVELS: readonly EffortLevel[] = ['minimal', 'low', 'medium'];

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (n: number) =>
    Number.isInteger(n) && n >= min && n <= max
      ? undefined
      : `a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any size' : max}`;

function httpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'an http:// or https:// URL';
  } catch {
    return 'an http:// or https:// URL';
  }
}

/** An http(s) URL, or empty for "derived from another setting". */
function optionalHttpUrl(value: string): string | undefined {
  return value === '' ? undefined : httpUrl(value);
}

/** Every setting headroom understands, with its environment variable and default. */
export const SETTINGS = {
  port: {
    kind: 'number',
    env: 'HEADROOM_PORT',
    description: 'Proxy port (0 picks a free one)',
    check: integer(0, 65535),
    default: () => 8787,
  },
  host: {
    kind: 'string',
    env: 'HEADROOM_HOST',
    description: 'Proxy bind address',
    check: (value: string) => (value.trim() === '' ? 'a host name or address' : undefined),
    default: () => '127.0.0.1',
  },
  cacheDir: {
    kind: 'string',
    env: 'HEADROOM_CACHE_DIR',
    description: 'Where the stats and originals store lives',
    default: () => paths.cache,
  },
  apiKey: {
    kind: 'string',
    env: 'HEADROOM_API_KEY',
    description:
      'When set, every request must carry it in x-headroom-key; needed to bind a non-loopback host',
    default: () => undefined,
  },
  anthropicUpstream: {
    kind: 'string',
    env: 'HEADROOM_ANTHROPIC_UPSTREAM',
    description: 'Anthropic API base URL',
    check: httpUrl,
    default: () => 'https://api.anthropic.com',
  },
  openaiUpstream: {
    kind: 'string',
    env: 'HEADROOM_OPENAI_UPSTREAM',
    description: 'OpenAI (or compatible) API base URL',
    check: httpUrl,
    default: () => 'https://api.openai.com',
  },
  geminiUpstream: {
    kind: 'string',
    env: 'HEADROOM_GEMINI_UPSTREAM',
    description: 'Gemini API base URL',
    check: httpUrl,
    default: () => 'https://generativelanguage.googleapis.com',
  },
  copilotSubscription: {
    kind: 'boolean',
    env: 'HEADROOM_COPILOT_SUBSCRIPTION',
    description:
      'Forward OpenAI and Anthropic traffic to the GitHub Copilot API, signed in with the login `headroom copilot-auth login` stored',
    default: () => false,
  },
  githubUrl: {
    kind: 'string',
    env: 'HEADROOM_GITHUB_URL',
    description: "GitHub's web base URL for the device login (empty: https://<domain> of the login)",
    check: optionalHttpUrl,
    default: () => '',
  },
  githubApiUrl: {
    kind: 'string',
    env: 'HEADROOM_GITHUB_API_URL',
    description:
      "GitHub's API base URL, where the Copilot token is exchanged (empty: api.github.com, or the GHE host's API)",
    check: optionalHttpUrl,
    default: () => '',
  },
  copilotApiUrl: {
    kind: 'string',
    env: 'HEADROOM_COPILOT_API_URL',
    description: 'Copilot API base URL (empty: the endpoint the token exchange names)',
    check: optionalHttpUrl,
    default: () => '',
  },
  logLevel: {
    kind: 'string',
    env: 'HEADROOM_LOG_LEVEL',
    description: 'error, warn, info or debug',
    check: (value: string) => (LOG_LEVELS.includes(value) ? undefined : `one of ${LOG_LEVELS.join(', ')}`),
    default: () => 'info',
  },
  compress: {
    kind: 'boolean',
    env: 'HEADROOM_COMPRESS',
    description: 'Compress tool outputs in proxied requests',
    default: () => true,
  },
  minTokens: {
    kind: 'number',
    env: 'HEADROOM_MIN_TOKENS',
    description: 'Tool outputs smaller than this many tokens pass untouched',
    check: integer(0),
    default: () => ENGINE_DEFAULTS.minTokens,
  },
  codeMinLines: {
    kind: 'number',
    env: 'HEADROOM_CODE_MIN_LINES',
    description:
      'A source file read goes to the code transform above this many lines; smaller ones pass whole',
    check: integer(0),
    default: () => ENGINE_DEFAULTS.codeMinLines,
  },
  codeMinTokens: {
    kind: 'number',
    env: 'HEADROOM_CODE_MIN_TOKENS',
    description: 'A source file read goes to the code transform above this many tokens (characters / 4)',
    check: integer(0),
    default: () => ENGINE_DEFAULTS.codeMinTokens,
  },
  budgetBytes: {
    kind: 'number',
    env: 'HEADROOM_BUDGET_BYTES',
    description: 'Characters of tool output compressed per request; past them the rest is sent as is',
    check: integer(0),
    default: () => ENGINE_DEFAULTS.budgetBytes,
  },
  budgetMs: {
    kind: 'number',
    env: 'HEADROOM_BUDGET_MS',
    description:
      'Fail-safe: ms of compression per request past which the rest is sent as is (and kept so on later requests)',
    check: integer(1),
    default: () => ENGINE_DEFAULTS.budgetMs,
  },
  excludeTools: {
    kind: 'list',
    env: 'HEADROOM_EXCLUDE_TOOLS',
    description: 'Comma-separated tool names whose outputs are never compressed',
    default: () => [],
  },
  disableTransforms: {
    kind: 'list',
    env: 'HEADROOM_DISABLE_TRANSFORMS',
    description: `Comma-separated transforms to switch off (${SWITCHABLE_TRANSFORMS.join(', ')})`,
    check: (names: string[]) => {
      const unknown = names.filter((name) => !(SWITCHABLE_TRANSFORMS as readonly string[]).includes(name));
      return unknown.length === 0 ? undefined : `a list of ${SWITCHABLE_TRANSFORMS.join(', ')}`;
    },
    default: () => [],
  },
  store: {
    kind: 'string',
    env: 'HEADROOM_STORE',
    description:
      'Where originals and stats are kept: sqlite (files in the cache dir), sqlite:/absolute/dir, or redis://host:port/db (shared by several proxies)',
    default: () => STORE_DEFAULTS.store,
  },
  storeMaxBytes: {
    kind: 'number',
    env: 'HEADROOM_STORE_MAX_BYTES',
    description: 'Size cap of the originals store before least-recently-used eviction',
    check: integer(0),
    default: () => STORE_DEFAULTS.maxBytes,
  },
  storeTtlDays: {
    kind: 'number',
    env: 'HEADROOM_STORE_TTL_DAYS',
    description: 'Days an original is kept after it was last read',
    default: () => STORE_DEFAULTS.ttlDays,
  },
  statsMaxRows: {
    kind: 'number',
    env: 'HEADROOM_STATS_MAX_ROWS',
    description: 'Request rows a Redis stats store keeps; the oldest are trimmed past it',
    check: integer(1),
    default: () => STORE_DEFAULTS.statsMaxRows,
  },
  maxBodyBytes: {
    kind: 'number',
    env: 'HEADROOM_MAX_BODY_BYTES',
    description:
      'A request body past this many bytes is forwarded as it comes, unread and uncompressed (memory stays bounded)',
    check: integer(1),
    default: () => 64 * 1024 * 1024,
  },
  upstreamIdleMs: {
    kind: 'number',
    env: 'HEADROOM_UPSTREAM_IDLE_MS',
    description:
      'Longest silence from a model API, before its answer starts or between two chunks of it, before the request fails',
    check: integer(1),
    default: () => 10 * 60_000,
  },
  history: {
    kind: 'string',
    env: 'HEADROOM_HISTORY',
    description:
      'When old tool outputs may become stubs: off, cold (when the prompt cache is cold or the context nears the window) or always (whenever it pays)',
    check: (value: string) =>
      (HISTORY_MODES as readonly string[]).includes(value) ? undefined : `one of ${HISTORY_MODES.join(', ')}`,
    default: () => 'cold',
  },
  kompress: {
    kind: 'string',
    env: 'HEADROOM_KOMPRESS',
    description:
      'The learned text scorer: off, auto (when a model is set and loads) or on (the same, and a missing model is reported)',
    check: (value: string) =>
      (KOMPRESS_MODES as readonly string[]).includes(value)
        ? undefined
        : `one of ${KOMPRESS_MODES.join(', ')}`,
    default: () => 'auto',
  },
  kompressModel: {
    kind: 'string',
    env: 'HEADROOM_KOMPRESS_MODEL',
    description:
      'Kompress or LLMLingua-2 ONNX model: a directory with model.onnx and tokenizer.json, or model.onnx,tokenizer.json',
    default: () => '',
  },
  kompressTargetRatio: {
    kind: 'number',
    env: 'HEADROOM_KOMPRESS_TARGET_RATIO',
    description:
      'Fraction of words the scorer keeps (the best scored); 0 keeps those it scores 0.5 or more instead',
    check: (n: number) => (n >= 0 && n <= 1 ? undefined : 'a number from 0 to 1'),
    default: () => 0,
  },
  mcpPort: {
    kind: 'number',
    env: 'HEADROOM_MCP_PORT',
    description: 'Port of `headroom mcp serve --transport http` (0 picks a free one)',
    check: integer(0, 65535),
    default: () => 8788,
  },
  mcpReadPaths: {
    kind: 'list',
    env: 'HEADROOM_MCP_READ_PATHS',
    description:
      'Comma-separated directories headroom_read may read besides the project root it was started in',
    default: () => [],
  },
  memory: {
    kind: 'boolean',
    env: 'HEADROOM_MEMORY',
    description:
      'Offer the memory tools (memory_save, memory_search, ...) and add relevant memories to the newest user turn',
    default: () => false,
  },
  memoryScope: {
    kind: 'string',
    env: 'HEADROOM_MEMORY_SCOPE',
    description:
      "Whose memories a request reads and writes: project (the agent's directory) or user (one pool for all projects)",
    check: (value: string) =>
      (MEMORY_SCOPES as readonly string[]).includes(value) ? undefined : `one of ${MEMORY_SCOPES.join(', ')}`,
    default: () => 'project',
  },
  memoryTopK: {
    kind: 'number',
    env: 'HEADROOM_MEMORY_TOP_K',
    description: 'Most memories added to a user turn (0 adds none; the tools stay)',
    check: integer(0, 50),
    default: () => 5,
  },
  memoryEmbeddings: {
    kind: 'string',
    env: 'HEADROOM_MEMORY_EMBEDDINGS',
    description:
      'Sentence-embedding ONNX model for memory search beside BM25: a directory with model.onnx and tokenizer.json, or model.onnx,tokenizer.json',
    default: () => '',
  },
  memoryMinSimilarity: {
    kind: 'number',
    env: 'HEADROOM_MEMORY_MIN_SIMILARITY',
    description:
      'Cosine similarity a memory needs to be found by meaning alone, without a word in common (with memoryEmbeddings)',
    check: (n: number) => (n >= 0 && n <= 1 ? undefined : 'a number from 0 to 1'),
    default: () => 0.5,
  },
  verbosity: {
    kind: 'string',
    env: 'HEADROOM_VERBOSITY',
    description:
      'Ask the model for shorter answers: off, 1-4 (or normal = 1, terse = 2, minimal = 3); a note at the tail of the system prompt',
    check: (value: string) =>
      (VERBOSITY_LEVELS as readonly string[]).includes(value)
        ? undefined
        : 'one of off, 1, 2, 3, 4, normal, terse, minimal',
    default: () => 'off',
  },
  verbosityForce: {
    kind: 'boolean',
    env: 'HEADROOM_VERBOSITY_FORCE',
    description:
      'Apply a verbosity change to running conversations at once, even where it costs a warm prompt cache',
    default: () => false,
  },
  effortRouting: {
    kind: 'boolean',
    env: 'HEADROOM_EFFORT_ROUTING',
    description:
      'On turns that only carry successful tool results, lower the reasoning effort the request sets (never adds one)',
    default: () => false,
  },
  effortLevel: {
    kind: 'string',
    env: 'HEADROOM_EFFORT_LEVEL',
    description: `The effort effort routing lowers to: ${EFFORT_LEVELS.join(', ')} (Anthropic has no minimal: low)`,
    check: (value: string) =>
      (EFFORT_LEVELS as readonly string[]).includes(value) ? undefined : `one of ${EFFORT_LEVELS.join(', ')}`,
    default: () => 'low',
  },
  thinkingFloor: {
    kind: 'number',
    env: 'HEADROOM_THINKING_FLOOR',
    description:
      'Extended-thinking budget_tokens effort routing lowers to (never below 1024, the API minimum)',
    check: integer(1024),
    default: () => 1024,
  },
  outputHoldout: {
    kind: 'number',
    env: 'HEADROOM_OUTPUT_HOLDOUT',
    description:
      'Share of conversations (0 to 0.5, by a hash of their id) left unsteered, to measure what verbosity steering saves',
    check: (n: number) => (n >= 0 && n <= 0.5 ? undefined : 'a share from 0 to 0.5'),
    default: () => 0,
  },
  retrieveMaxRounds: {
    kind: 'number',
    env: 'HEADROOM_RETRIEVE_MAX_ROUNDS',
    description: 'Internal headroom_retrieve rounds the proxy answers per request',
    check: integer(0, 20),
    default: () => 3,
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<K extends Kind> = K extends 'string'
  ? string
  : K extends 'number'
    ? number
    : K extends 'boolean'
      ? boolean
      : string[];

/** The resolved settings. `apiKey` is the only one that may be absent. */
export type Config = {
  [K in SettingName]: K extends 'apiKey'
    ? string | undefined
    : K extends 'history'
      ? HistoryMode
      : K extends 'kompress'
        ? KompressMode
        : K extends 'memoryScope'
          ? MemoryScopeMode
          : K extends 'verbosity'
            ? VerbosityLevel
            : K extends 'effortLevel'
              ? EffortLevel
              : ValueOf<(typeof SETTINGS)[K]['kind']>;
};

export type SettingSource = 'flag' | 'env' | 'file' | 'default';

export interface ResolvedConfig {
  config: Config;
  sources: Record<SettingName, SettingSource>;
  file: string;
}

/** Overrides from command-line flags; undefined means "not given". */
export type FlagValues = Partial<{ [K in SettingName]: Config[K] | undefined }>;

function parseValue(name: SettingName, raw: unknown, origin: string): Config[SettingName] {
  const spec: SettingSpec = SETTINGS[name];
  const value = parseKind(spec.kind, raw, origin);
  const normalised = normalise(name, value);
  const wanted = spec.check?.(normalised as never);
  if (wanted) throw new ConfigError(`${origin} must be ${wanted}, got "${String(raw)}"`);
  return normalised;
}

/** Names and words are taken in any case; a verbosity alias stands for its level. */
function normalise(name: SettingName, value: Config[SettingName]): Config[SettingName] {
  if (['logLevel', 'history', 'effortLevel', 'kompress', 'memoryScope'].includes(name)) {
    return String(value).toLowerCase();
  }
  if (name === 'verbosity') {
    const word = String(value).trim().toLowerCase();
    return VERBOSITY_ALIASES[word] ?? word;
  }
  return value;
}

function parseKind(kind: Kind, raw: unknown, origin: string): Config[SettingName] {
  switch (kind) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(n) || n < 0 || String(raw).trim() === '') {
        throw new ConfigError(`${origin} must be a non-negative number, got "${String(raw)}"`);
      }
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      throw new ConfigError(`${origin} must be true or false (or 1/0), got "${String(raw)}"`);
    }
    case 'list': {
      if (Array.isArray(raw)) return raw.map(String);
      return String(raw)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }
    default:
      return String(raw);
  }
}

/** Where the config file lives (`HEADROOM_CONFIG_DIR` moves it). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HEADROOM_CONFIG_DIR || paths.config;
}

function openConfigFile(env: NodeJS.ProcessEnv): Conf<Record<string, unknown>> {
  try {
    // The file may hold the proxy key: its directory is the owner's alone, like the cache dir.
    ensurePrivateDir(configDir(env));
    return new Conf<Record<string, unknown>>({
      cwd: configDir(env),
      configName: 'config',
      projectName: 'headroom',
      projectSuffix: '',
      configFileMode: 0o600,
    });
  } catch (error) {
    throw new ConfigError(`cannot read config file in ${configDir(env)}: ${(error as Error).message}`);
  }
}

/** Resolve every setting from flags, environment, config file and defaults, in that order. */
export function resolveConfig(flags: FlagValues = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const resolved = resolveLeniently(flags, env);
  const [problem] = resolved.problems;
  if (problem) throw new ConfigError(problem);
  return resolved;
}

/**
 * Resolve every setting, a bad value in the environment or the config file taking its default instead of
 * failing: each such value is one of `problems`, a line that says how to fix it. For `headroom config`,
 * which must work whatever the file holds.
 */
export function resolveLeniently(
  flags: FlagValues = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig & { problems: string[] } {
  const file = openConfigFile(env);
  const stored = file.store;
  const config = {} as Record<SettingName, unknown>;
  const sources = {} as Record<SettingName, SettingSource>;
  const problems: string[] = [];
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const spec: SettingSpec = SETTINGS[name];
    const flag = flags[name];
    config[name] = spec.default();
    sources[name] = 'default';
    try {
      if (flag !== undefined) {
        config[name] = parseValue(name, flag, `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
        sources[name] = 'flag';
      } else if (env[spec.env] !== undefined && env[spec.env] !== '') {
        try {
          config[name] = parseValue(name, env[spec.env], spec.env);
        } catch (error) {
          throw new ConfigError(`${(error as Error).message} (fix: unset ${spec.env})`);
        }
        sources[name] = 'env';
      } else if (stored[name] !== undefined) {
        try {
          config[name] = parseValue(name, stored[name], `config file entry "${name}"`);
        } catch (error) {
          throw new ConfigError(`${(error as Error).message} (fix: headroom config unset ${name})`);
        }
        sources[name] = 'file';
      }
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return { config: config as Config, sources, file: file.path, problems };
}

/** The config file's path, without reading what it holds. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'config.json');
}

/** Write one setting to the config file, validating it first. */
export function writeSetting(name: string, raw: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!(name in SETTINGS)) {
    throw new ConfigError(`unknown setting "${name}" (known: ${Object.keys(SETTINGS).join(', ')})`);
  }
  const value = parseValue(name as SettingName, raw, `setting "${name}"`);
  const file = openConfigFile(env);
  file.set(name, value);
  return file.path;
}

/** Remove one setting from the config file so the default applies again. */
export function unsetSetting(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!(name in SETTINGS)) {
    throw new ConfigError(`unknown setting "${name}" (known: ${Object.keys(SETTINGS).join(', ')})`);
  }
  const file = openConfigFile(env);
  file.delete(name);
  return file.path;
}

/** True when a host string names only this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The settings a running proxy takes without a restart (`POST /admin/runtime-env`, `config set --live`), by
 * environment variable. The rest (port, host, stores, upstreams, the key) shape the process itself.
 */
export const LIVE_SETTINGS = [
  'verbosity',
  'verbosityForce',
  'compress',
  'minTokens',
  'codeMinLines',
  'codeMinTokens',
  'budgetBytes',
  'budgetMs',
  'excludeTools',
  'disableTransforms',
  'effortRouting',
  'effortLevel',
  'thinkingFloor',
  'outputHoldout',
  'history',
  'logLevel',
] as const satisfies readonly SettingName[];

export type LiveSettingName = (typeof LIVE_SETTINGS)[number];

/** The live setting an environment variable names, or undefined when it names none. */
export function liveSettingOfEnv(env: string): LiveSettingName | undefined {
  return LIVE_SETTINGS.find((name) => SETTINGS[name].env === env);
}

/**
 * Parse a set of `HEADROOM_*` values for a running proxy, all or nothing: an unknown key, a setting that needs
 * a restart, or a bad value throws a ConfigError naming it, by the same rules as the config file.
 */
export function parseLiveValues(values: Readonly<Record<string, unknown>>): Partial<Config> {
  const parsed: Partial<Record<SettingName, unknown>> = {};
  for (const [env, raw] of Object.entries(values)) {
    const name = liveSettingOfEnv(env);
    if (!name) {
      const known = Object.values(SETTINGS).some((spec) => spec.env === env);
      throw new ConfigError(
        known
          ? `${env} cannot change on a running proxy (restart it instead); live: ${LIVE_SETTINGS.map((n) => SETTINGS[n].env).join(', ')}`
          : `unknown setting ${env} (live: ${LIVE_SETTINGS.map((n) => SETTINGS[n].env).join(', ')})`,
      );
    }
    if (raw === null || (typeof raw === 'object' && !Array.isArray(raw))) {
      throw new ConfigError(`${env} must be a string, number or boolean`);
    }
    parsed[name] = parseValue(name, raw, env);
  }
  return parsed as Partial<Config>;
}
