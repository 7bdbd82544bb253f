// GitHub Copilot CLI reaches the proxy only in its bring-your-own-key mode (COPILOT_PROVIDER_* variables):
// headroom takes the user's provider URL as its upstream and points COPILOT_PROVIDER_BASE_URL at itself.

import { join } from 'node:path';
import { dirFrom, type Env, envValue, type ProcessAdapter } from './adapter.js';

const isAnthropic = (env: Env) => envValue(env, 'COPILOT_PROVIDER_TYPE')?.toLowerCase() === 'anthropic';

export const copilot: ProcessAdapter = {
  kind: 'process',
  name: 'copilot',
  title: 'GitHub Copilot CLI',
  binary: 'copilot',
  install: 'npm i -g @github/copilot',
  cannotRoute: (env) =>
    envValue(env, 'COPILOT_PROVIDER_BASE_URL')
      ? undefined
      : "copilot sends requests to GitHub's model service, which headroom cannot sit in front of; " +
        'set COPILOT_PROVIDER_BASE_URL (with COPILOT_PROVIDER_TYPE and COPILOT_PROVIDER_API_KEY) to your own provider',
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
