// Gemini CLI reads GOOGLE_GEMINI_BASE_URL for Gemini API (key) requests; a Google sign-in talks to Code Assist
// instead, which no base URL moves, so headroom sees Gemini traffic only with GEMINI_API_KEY. Extra headers go in
// GEMINI_CLI_CUSTOM_HEADERS (comma-separated `Name: value`), added to the user's own.

import { join } from 'node:path';
import { envValue, homeOf, type ProcessAdapter, upstreamsFromEnv } from './adapter.js';
import { mergeHeaderList } from './headers.js';

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
  // GEMINI_CLI_HOME stands in for the home directory, which holds `.gemini` as usual.
  sessionLogDirs: (env) => [join(envValue(env, 'GEMINI_CLI_HOME') ?? homeOf(env), '.gemini', 'tmp')],
  canSendHeaders: () => true,
  launch: (proxyUrl, env, userArgs, _cwd, headers = {}) => ({
    env: {
      GOOGLE_GEMINI_BASE_URL: proxyUrl,
      ...(Object.keys(headers).length > 0 && {
        GEMINI_CLI_CUSTOM_HEADERS: mergeHeaderList(env.GEMINI_CLI_CUSTOM_HEADERS, headers, ','),
      }),
    },
    args: [...userArgs],
  }),
};
