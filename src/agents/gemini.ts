// Gemini CLI reads GOOGLE_GEMINI_BASE_URL for Gemini API (key) requests; a Google sign-in talks to Code Assist
// instead, which no base URL moves, so headroom sees Gemini traffic only with GEMINI_API_KEY. Extra headers go in
// GEMINI_CLI_CUSTOM_HEADERS (comma-separated `Name: value`), added to the user's own.
//
// Gemini CLI also loads one `.env` file for variables the environment lacks: walking up from the workspace,
// `.gemini/.env` then `.env` in each directory, then `~/.gemini/.env` and `~/.env`. What wrap sets in the
// environment wins over that file, so a gateway or headers the user keeps there are read here and carried over.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { type Env, envValue, homeOf, type ProcessAdapter, upstreamsFromEnv } from './adapter.js';
import { mergeHeaderList } from './headers.js';

/** The home Gemini CLI uses: GEMINI_CLI_HOME stands in for the home directory, which holds `.gemini`. */
const geminiHome = (env: Env) => envValue(env, 'GEMINI_CLI_HOME') ?? homeOf(env);

/** The `.env` file Gemini CLI would load for a workspace at `cwd`, if any. */
export function geminiEnvFile(env: Env, cwd: string): string | undefined {
  const home = geminiHome(env);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const file of [join(dir, '.gemini', '.env'), join(dir, '.env')]) if (existsSync(file)) return file;
    if (dirname(dir) === dir) break;
  }
  return [join(home, '.gemini', '.env'), join(home, '.env')].find((file) => existsSync(file));
}

/** The environment Gemini CLI will run with at `cwd`: `env`, with what its `.env` file adds. */
function geminiEnv(env: Env, cwd: string): Env {
  const file = geminiEnvFile(env, cwd);
  if (!file) return env;
  let added: Record<string, string | undefined> = {};
  try {
    added = parseEnv(readFileSync(file, 'utf8'));
  } catch {
    // An unreadable file adds nothing, for Gemini CLI as for headroom.
  }
  const merged: Record<string, string | undefined> = { ...env };
  for (const [key, value] of Object.entries(added)) if (merged[key] === undefined) merged[key] = value;
  return merged;
}

export const gemini: ProcessAdapter = {
  kind: 'process',
  name: 'gemini',
  title: 'Gemini CLI',
  binary: 'gemini',
  install: 'npm i -g @google/gemini-cli',
  editTools: ['replace'],
  readTools: ['read_many_files'],
  adoptUpstreams: (env, cwd) =>
    upstreamsFromEnv(geminiEnv(env, cwd), { geminiUpstream: ['GOOGLE_GEMINI_BASE_URL'] }),
  upstreamsUsed: () => ['geminiUpstream'],
  sessionLogDirs: (env) => [join(geminiHome(env), '.gemini', 'tmp')],
  canSendHeaders: () => true,
  launch: (proxyUrl, env, userArgs, cwd, headers = {}) => ({
    env: {
      GOOGLE_GEMINI_BASE_URL: proxyUrl,
      ...(Object.keys(headers).length > 0 && {
        GEMINI_CLI_CUSTOM_HEADERS: mergeHeaderList(
          geminiEnv(env, cwd).GEMINI_CLI_CUSTOM_HEADERS,
          headers,
          ',',
        ),
      }),
    },
    args: [...userArgs],
  }),
};
