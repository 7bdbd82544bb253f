// Claude Code reads ANTHROPIC_BASE_URL (without `/v1`) for every model request, API key or subscription login;
// a gateway URL the user already set becomes the proxy's upstream.

import { join } from 'node:path';
import { dirFrom, type ProcessAdapter, upstreamsFromEnv } from './adapter.js';

export const claude: ProcessAdapter = {
  kind: 'process',
  name: 'claude',
  title: 'Claude Code',
  binary: 'claude',
  install: 'npm i -g @anthropic-ai/claude-code',
  editTools: ['MultiEdit', 'NotebookEdit'],
  readTools: ['NotebookRead'],
  adoptUpstreams: (env) => upstreamsFromEnv(env, { anthropicUpstream: ['ANTHROPIC_BASE_URL'] }),
  upstreamsUsed: () => ['anthropicUpstream'],
  sessionLogDirs: (env) => [join(dirFrom(env, 'CLAUDE_CONFIG_DIR', '.claude'), 'projects')],
  launch: (proxyUrl, _env, userArgs) => ({ env: { ANTHROPIC_BASE_URL: proxyUrl }, args: [...userArgs] }),
};
