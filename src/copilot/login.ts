// Logging in: the device flow, or a token already on the machine when the user says so; either way the token
// is checked (whose it is, and that GitHub issues a Copilot token for it) before it is stored.

import { type LoginSource, type StoredLogin, writeLogin } from './credential.js';
import { type DeviceCode, type PollOptions, requestDeviceCode, waitForAuthorization } from './device-flow.js';
import {
  COPILOT_CLIENT_ID,
  type EndpointOverrides,
  type GitHubEndpoints,
  githubEndpoints,
} from './endpoints.js';
import { CopilotAuthError } from './errors.js';
import { existingTokens } from './existing.js';
import { accountOf, exchangeForCopilotToken } from './token-exchange.js';

export interface LoginOptions extends PollOptions {
  domain: string;
  overrides?: EndpointOverrides;
  /** Reuse a token the Copilot editors, the environment or the GitHub CLI already hold. */
  useExisting?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Shows the user a line (the code to enter, what was tried). */
  say: (line: string) => void;
  /** Called with the verification URL once the code is shown (to open a browser). */
  showPage?: (url: string, code: DeviceCode) => void;
}

export interface LoginResult {
  login: StoredLogin;
  /** The credential file it was written to. */
  file: string;
}

/** Whose `token` is, checked to buy a Copilot token: what is stored for it. */
async function checked(endpoints: GitHubEndpoints, token: string, source: LoginSource): Promise<StoredLogin> {
  const account = await accountOf(endpoints, token);
  await exchangeForCopilotToken(endpoints, token);
  return { domain: endpoints.domain, token, account, source, storedAt: new Date().toISOString() };
}

async function deviceLogin(endpoints: GitHubEndpoints, options: LoginOptions): Promise<StoredLogin> {
  const code = await requestDeviceCode(endpoints, COPILOT_CLIENT_ID);
  options.say(`Open ${code.verificationUri} and enter the code ${code.userCode}`);
  options.showPage?.(code.verificationUri, code);
  const token = await waitForAuthorization(endpoints, COPILOT_CLIENT_ID, code, options);
  return checked(endpoints, token, 'device-flow');
}

async function existingLogin(endpoints: GitHubEndpoints, options: LoginOptions): Promise<StoredLogin> {
  const found = await existingTokens(endpoints.domain, options.env);
  if (found.length === 0) {
    throw new CopilotAuthError(
      `no GitHub token for ${endpoints.domain} found in ~/.config/github-copilot/, COPILOT_GITHUB_TOKEN, GH_TOKEN, GITHUB_TOKEN or \`gh auth token\`; run \`headroom copilot-auth login\` without --use-existing`,
    );
  }
  for (const candidate of found) {
    try {
      const login = await checked(endpoints, candidate.token, candidate.source);
      options.say(`Using the token from ${candidate.where}`);
      return login;
    } catch (error) {
      options.say(`Not using the token from ${candidate.where}: ${(error as Error).message}`);
    }
  }
  throw new CopilotAuthError(
    'none of the existing GitHub tokens can be used for Copilot; run `headroom copilot-auth login` without --use-existing',
  );
}

/** Log in and store the login; the token itself is never shown. */
export async function logIn(options: LoginOptions): Promise<LoginResult> {
  const endpoints = githubEndpoints(options.domain, options.overrides);
  const login = options.useExisting
    ? await existingLogin(endpoints, options)
    : await deviceLogin(endpoints, options);
  return { login, file: writeLogin(login, options.env) };
}
