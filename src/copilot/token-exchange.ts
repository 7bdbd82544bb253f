// The short-lived Copilot API token, bought with the GitHub token from `copilot_internal/v2/token`, and the
// in-memory cache that keeps one: fetched on first use, fetched again once its refresh time has come (before
// it expires) or once the Copilot API refused it. It lives in this process only: never a file, a log line or
// a stats row.

import type { GitHubEndpoints } from './endpoints.js';
import { CopilotAuthError, CopilotTokenRefused } from './errors.js';
import { githubJson, numberField, stringField } from './github-http.js';
import { githubApiHeaders } from './headers.js';

export interface CopilotToken {
  token: string;
  /** When GitHub says it expires (ms since the epoch). */
  expiresAt: number;
  /** When to buy the next one (ms since the epoch): GitHub's `refresh_in`, else a minute before expiry. */
  refreshAt: number;
  /** The Copilot API base URL the exchange named (`endpoints.api`), if it named one. */
  apiUrl?: string;
}

/** What the GitHub answer said, in one line that names the fix. */
function refusal(endpoints: GitHubEndpoints, status: number, body: unknown): CopilotTokenRefused {
  const said = stringField(body, 'message');
  const detail = said ? `HTTP ${status}: ${said}` : `HTTP ${status}`;
  if (status === 401) {
    return new CopilotTokenRefused(
      `${endpoints.domain} no longer accepts the stored login (${detail}); run \`headroom copilot-auth login\``,
      status,
    );
  }
  if (status === 403 || status === 404) {
    return new CopilotTokenRefused(
      `${endpoints.domain} issues no Copilot token to this account (${detail}); check its Copilot subscription, or log in with another account`,
      status,
    );
  }
  return new CopilotTokenRefused(`${endpoints.api} did not issue a Copilot token (${detail})`, status);
}

/** Exchange `githubToken` for a Copilot API token. */
export async function exchangeForCopilotToken(
  endpoints: GitHubEndpoints,
  githubToken: string,
  now: () => number = Date.now,
): Promise<CopilotToken> {
  const { status, body } = await githubJson(`${endpoints.api}/copilot_internal/v2/token`, {
    headers: githubApiHeaders(githubToken),
  });
  const token = stringField(body, 'token');
  const expiresAtS = numberField(body, 'expires_at');
  if (status !== 200 || !token || expiresAtS === undefined) throw refusal(endpoints, status, body);
  const expiresAt = expiresAtS * 1000;
  const refreshIn = numberField(body, 'refresh_in');
  const refreshAt = Math.min(
    refreshIn === undefined ? Number.POSITIVE_INFINITY : now() + refreshIn * 1000,
    expiresAt - 60_000,
  );
  const endpointsField = (body as { endpoints?: unknown }).endpoints;
  return { token, expiresAt, refreshAt, apiUrl: stringField(endpointsField, 'api') };
}

/** The account a GitHub token belongs to (`/user`'s `login`). */
export async function accountOf(endpoints: GitHubEndpoints, githubToken: string): Promise<string> {
  const { status, body } = await githubJson(`${endpoints.api}/user`, {
    headers: githubApiHeaders(githubToken),
  });
  const login = stringField(body, 'login');
  if (status === 401) throw new CopilotAuthError(`${endpoints.domain} does not accept this token (HTTP 401)`);
  if (status !== 200 || !login) {
    throw new CopilotAuthError(`${endpoints.api}/user did not name the account (HTTP ${status})`);
  }
  return login;
}

/** One Copilot token at a time for a GitHub login, shared by every request, bought again when due. */
export class CopilotTokens {
  private cached: CopilotToken | undefined;
  private buying: Promise<CopilotToken> | undefined;

  constructor(
    private readonly buy: () => Promise<CopilotToken>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token that is not due for refresh; concurrent callers share one exchange. */
  async current(): Promise<CopilotToken> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached;
    this.buying ??= this.buy().then(
      (token) => {
        this.cached = token;
        this.buying = undefined;
        return token;
      },
      (error: unknown) => {
        this.buying = undefined;
        throw error;
      },
    );
    return this.buying;
  }

  /** The Copilot API refused `token`: the next `current()` buys a new one (unless one was bought since). */
  refused(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }
}
