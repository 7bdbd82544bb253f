// The stored GitHub login: one JSON file in headroom's config directory, 0600 in a 0700 directory, written
// atomically (a temporary file renamed over it) so a crash never leaves half a token. Only its fingerprint
// is ever shown.

import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { configDir } from '../config.js';
import { ensurePrivateDir } from '../private-dir.js';
import { CopilotAuthError } from './errors.js';

/** Where a stored login came from. */
export type LoginSource = 'device-flow' | 'copilot-editor' | 'environment' | 'gh-cli';

export interface StoredLogin {
  /** The GitHub host the login belongs to. */
  domain: string;
  /** The GitHub OAuth token: the only secret in the file. */
  token: string;
  /** The account's login name, as GitHub's `/user` gave it. */
  account: string;
  source: LoginSource;
  /** ISO 8601 time the login was stored. */
  storedAt: string;
}

const FILE_NAME = 'copilot-auth';

/** The credential file's path. */
export function credentialFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), `${FILE_NAME}.json`);
}

function open(env: NodeJS.ProcessEnv): Conf<Partial<StoredLogin>> {
  const dir = configDir(env);
  ensurePrivateDir(dir);
  return new Conf<Partial<StoredLogin>>({
    cwd: dir,
    configName: FILE_NAME,
    projectName: 'headroom',
    projectSuffix: '',
    configFileMode: 0o600,
  });
}

const SOURCES: readonly LoginSource[] = ['device-flow', 'copilot-editor', 'environment', 'gh-cli'];

/** The stored login, or undefined when there is none. */
export function readLogin(env: NodeJS.ProcessEnv = process.env): StoredLogin | undefined {
  if (!existsSync(credentialFile(env))) return undefined;
  let stored: Partial<StoredLogin>;
  try {
    stored = open(env).store;
  } catch (error) {
    throw new CopilotAuthError(
      `cannot read ${credentialFile(env)} (${(error as Error).message}); run \`headroom copilot-auth logout\` and log in again`,
    );
  }
  const { domain, token, account, source, storedAt } = stored;
  if (!domain || !token || !storedAt || !source || !SOURCES.includes(source)) {
    throw new CopilotAuthError(
      `${credentialFile(env)} does not hold a login; run \`headroom copilot-auth logout\` and log in again`,
    );
  }
  return { domain, token, account: account ?? '', source, storedAt };
}

/** Store `login`, replacing any earlier one; returns the file's path. */
export function writeLogin(login: StoredLogin, env: NodeJS.ProcessEnv = process.env): string {
  const file = open(env);
  file.store = login;
  return file.path;
}

/** Delete the stored login; false when there was none. */
export function deleteLogin(env: NodeJS.ProcessEnv = process.env): boolean {
  const path = credentialFile(env);
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}

/** A token's fingerprint: enough to tell two tokens apart, nothing to use one with. */
export function fingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}
