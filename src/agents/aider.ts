// Aider talks to models through litellm, which reads OPENAI_API_BASE (with `/v1`) and ANTHROPIC_API_BASE
// (without); headroom sets both providers' variables so either one's traffic passes through the proxy.

import { envValue, type ProcessAdapter, upstreamsFromEnv } from './adapter.js';

export const aider: ProcessAdapter = {
  kind: 'process',
  name: 'aider',
  title: 'Aider',
  binary: 'aider',
  install: 'python -m pip install aider-install && aider-install',
  adoptUpstreams: (env) =>
    upstreamsFromEnv(env, {
      anthropicUpstream: ['ANTHROPIC_BASE_URL', 'ANTHROPIC_API_BASE'],
      openaiUpstream: ['OPENAI_API_BASE', 'OPENAI_BASE_URL'],
    }),
  upstreamsUsed: (env) => {
    const used: ('anthropicUpstream' | 'openaiUpstream')[] = [];
    if (envValue(env, 'ANTHROPIC_API_KEY')) used.push('anthropicUpstream');
    if (envValue(env, 'OPENAI_API_KEY')) used.push('openaiUpstream');
    return used;
  },
  // Aider writes its chat history (.aider.chat.history.md) next to the code it works on.
  sessionLogDirs: () => [process.cwd()],
  // litellm reads either spelling of each variable, so both are set to keep a stale one from winning.
  launch: (proxyUrl, _env, userArgs) => ({
    env: {
      OPENAI_API_BASE: `${proxyUrl}/v1`,
      OPENAI_BASE_URL: `${proxyUrl}/v1`,
      ANTHROPIC_API_BASE: proxyUrl,
      ANTHROPIC_BASE_URL: proxyUrl,
    },
    args: [...userArgs],
  }),
};
