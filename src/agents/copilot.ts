// GitHub Copilot CLI reaches the proxy through its bring-your-own-key mode (COPILOT_PROVIDER_* variables).
// BYOK: headroom takes the user's provider URL as its upstream and points COPILOT_PROVIDER_BASE_URL at itself.
// Subscription (`wrap copilot --subscription`): the CLI speaks OpenAI-style to the proxy, which signs in to
// the Copilot API itself with the login `headroom copilot-auth login` stored.

import { join } from 'node:path';
import { readLogin } from '../copilot/credential.js';
import { dirFrom, type Env, envValue, type ProcessAdapter } from './adapter.js';

const isAnthropic = (env: Env) => envValue(env, 'COPILOT_PROVIDER_TYPE')?.toLowerCase() === 'anthropic';

/** The CLI in bring-your-own-key mode, the user's provider as the proxy's upstream. */
const byok: ProcessAdapter = {
  kind: 'process',
  name: 'copilot',
  title: 'GitHub Copilot CLI',
  binary: 'copilot',
  install: 'npm i -g @github/copilot',
  cannotRoute: (env) =>
    envValue(env, 'COPILOT_PROVIDER_BASE_URL')
      ? undefined
      : "copilot sends requests to GitHub's model service, which headroom cannot sit in front of as it is; " +
        'run `headroom wrap copilot --subscription` (after `headroom copilot-auth login`) to carry your Copilot ' +
        'subscription through headroom, or set COPILOT_PROVIDER_BASE_URL (with COPILOT_PROVIDER_TYPE and ' +
        'COPILOT_PROVIDER_API_KEY) to your own provider',
  adoptUpstreams: (env) => {
    const base = envValue(env, 'COPILOT_PROVIDER_BASE_URL');
    if (!base) return {};
    return isAnthropic(env) ? { anthropicUpstream: base } : { openaiUpstream: base };
  },
  upstreamsUsed: (env) => [isAnthropic(env) ? 'anthropicUpstream' : 'openaiUpstream'],
  sessionLogDirs: (env) => [join(dirFrom(env, 'COPILOT_HOME', '.copilot'), 'session-state')],
  launch: (proxyUrl, env, userArgs) => ({
    env: {
      COPILOT_PROVIDER_BASE_URL: isAnthropic(env) ? proxyUrl : `${proxyUrl}/v1`,
      // The proxy speaks HTTP; a WebSocket transport would go around it.
      COPILOT_PROVIDER_TRANSPORT: 'http',
    },
    args: [...userArgs],
  }),
};

/** The model a subscription session runs when the user names none: one every Copilot plan serves. */
export const COPILOT_SUBSCRIPTION_DEFAULT_MODEL = 'gpt-4.1';

const namesModel = (env: Env, userArgs: readonly string[]) =>
  envValue(env, 'COPILOT_MODEL') !== undefined ||
  envValue(env, 'COPILOT_PROVIDER_MODEL_ID') !== undefined ||
  userArgs.some((arg) => arg === '--model' || arg.startsWith('--model='));

/** Copilot CLI carrying the user's Copilot subscription through the proxy, which signs its requests. */
export const copilotSubscription: ProcessAdapter = {
  ...byok,
  cannotRoute: (env) =>
    readLogin(env as NodeJS.ProcessEnv)
      ? undefined
      : 'no GitHub login is stored for Copilot: run `headroom copilot-auth login` first',
  // The proxy's Copilot upstream comes from the login, not from anything the user pointed the CLI at.
  adoptUpstreams: () => ({}),
  upstreamsUsed: () => [],
  launch: (proxyUrl, env, userArgs) => ({
    env: {
      COPILOT_PROVIDER_BASE_URL: `${proxyUrl}/v1`,
      COPILOT_PROVIDER_TYPE: 'openai',
      COPILOT_PROVIDER_TRANSPORT: 'http',
      // The CLI's BYOK mode needs a model named; the user's own choice stands.
      ...(namesModel(env, userArgs) ? {} : { COPILOT_MODEL: COPILOT_SUBSCRIPTION_DEFAULT_MODEL }),
    },
    args: [...userArgs],
  }),
};

export const copilot: ProcessAdapter = { ...byok, subscription: copilotSubscription };
