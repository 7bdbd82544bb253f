// Codex ignores OPENAI_BASE_URL for its own provider, so headroom defines a per-run `headroom` model provider
// with `-c` overrides (plain HTTP, Responses API); ~/.codex/config.toml is never touched.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirFrom, type Env, envValue, type ProcessAdapter, upstreamsFromEnv } from './adapter.js';

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

/** The TOML inline table defining the per-run provider. */
function providerTable(baseUrl: string, auth: ReturnType<typeof codexAuth>): string {
  const credentials = auth === 'env-key' ? 'env_key="OPENAI_API_KEY"' : 'requires_openai_auth=true';
  return `{name="headroom",base_url=${JSON.stringify(baseUrl)},${credentials},wire_api="responses"}`;
}

export const codex: ProcessAdapter = {
  kind: 'process',
  name: 'codex',
  title: 'Codex CLI',
  binary: 'codex',
  install: 'npm i -g @openai/codex',
  adoptUpstreams: (env) => {
    const fromEnv = upstreamsFromEnv(env, { openaiUpstream: ['OPENAI_BASE_URL'] });
    if (fromEnv.openaiUpstream || codexAuth(env) !== 'chatgpt') return fromEnv;
    return { openaiUpstream: CHATGPT_CODEX_BASE };
  },
  upstreamsUsed: () => ['openaiUpstream'],
  sessionLogDirs: (env) => [join(codexHome(env), 'sessions')],
  launch: (proxyUrl, env, userArgs) => {
    const auth = codexAuth(env);
    // The ChatGPT backend serves `<base>/responses` with no `/v1`, so the provider base is the bare proxy URL.
    const base = auth === 'chatgpt' && !envValue(env, 'OPENAI_BASE_URL') ? proxyUrl : `${proxyUrl}/v1`;
    return {
      env: { OPENAI_BASE_URL: `${proxyUrl}/v1` },
      args: [
        '-c',
        'model_provider="headroom"',
        '-c',
        `model_providers.headroom=${providerTable(base, auth)}`,
        ...userArgs,
      ],
    };
  },
};
