// GitHub tokens already on the machine that a login can reuse, in the order Copilot's own tools prefer them:
// the Copilot editor plugins' stored logins, COPILOT_GITHUB_TOKEN / GH_TOKEN / GITHUB_TOKEN, then the GitHub
// CLI's `gh auth token`. Read only when the user asks for it (`--use-existing`).

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { LoginSource } from './credential.js';

export interface ExistingToken {
  token: string;
  source: LoginSource;
  /** Where it was found, for messages (a file, a variable, a command): never the token. */
  where: string;
}

const TOKEN_VARIABLES = ['COPILOT_GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN'] as const;

/** The Copilot editor plugins' login files: `apps.json` (newer) and `hosts.json`, keyed by host (and app). */
function editorTokens(domain: string, env: NodeJS.ProcessEnv): ExistingToken[] {
  const dir = join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'github-copilot');
  const found: ExistingToken[] = [];
  for (const name of ['apps.json', 'hosts.json']) {
    const file = join(dir, name);
    let entries: Record<string, { oauth_token?: unknown }>;
    try {
      entries = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    for (const [key, entry] of Object.entries(entries ?? {})) {
      const host = key.split(':')[0];
      const token = entry?.oauth_token;
      if (host === domain && typeof token === 'string' && token) {
        found.push({ token, source: 'copilot-editor', where: file });
      }
    }
  }
  return found;
}

function environmentTokens(env: NodeJS.ProcessEnv): ExistingToken[] {
  return TOKEN_VARIABLES.flatMap((name) => {
    const token = env[name]?.trim();
    return token ? [{ token, source: 'environment' as const, where: `$${name}` }] : [];
  });
}

async function ghToken(domain: string, env: NodeJS.ProcessEnv): Promise<ExistingToken[]> {
  const result = await execa('gh', ['auth', 'token', '--hostname', domain], {
    env,
    extendEnv: false,
    reject: false,
    timeout: 10_000,
    stdin: 'ignore',
  });
  const token = result.exitCode === 0 ? String(result.stdout).trim() : '';
  return token ? [{ token, source: 'gh-cli', where: '`gh auth token`' }] : [];
}

/** Every existing token for `domain`, best first, each once. */
export async function existingTokens(
  domain: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExistingToken[]> {
  const all = [...editorTokens(domain, env), ...environmentTokens(env), ...(await ghToken(domain, env))];
  const seen = new Set<string>();
  return all.filter(({ token }) => !seen.has(token) && seen.add(token));
}
