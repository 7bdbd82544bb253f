// Gemini CLI reads GOOGLE_GEMINI_BASE_URL for Gemini API (key) requests; a Google sign-in talks to Code Assist
// instead, which no base URL moves, so headroom sees Gemini traffic only with GEMINI_API_KEY.

import { join } from 'node:path';
import { dirFrom, type ProcessAdapter, upstreamsFromEnv } from './adapter.js';

export const gemini: ProcessAdapter = {
  kind: 'process',
  name: 'gemini',
  title: 'Gemini CLI',
  binary: 'gemini',
  install: 'npm i -g @google/gemini-cli',
  editTools: ['replace'],
  readTools: ['read_many_files'],
  adoptUpstreams: (env) => upstreamsFromEnv(env, { geminiUpstream: ['GOOGLE_GEMINI_BASE_URL'] }),
  upstreamsUsed: () => ['geminiUpstream'],
  sessionLogDirs: (env) => [join(dirFrom(env, 'GEMINI_CLI_HOME', '.gemini'), 'tmp')],
  launch: (proxyUrl, _env, userArgs) => ({ env: { GOOGLE_GEMINI_BASE_URL: proxyUrl }, args: [...userArgs] }),
};
