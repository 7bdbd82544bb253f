// The Copilot API as the proxy's upstream: each OpenAI-style (chat completions, responses) or Anthropic
// (messages) request goes to the endpoint the token exchange named, signed with the current Copilot token and
// the integration headers, the client's own credentials left out. The proxy asks for a grant per round.

import type { Config } from '../config.js';
import type { Provider } from '../formats/types.js';
import { readLogin } from './credential.js';
import { githubEndpoints } from './endpoints.js';
import { CopilotAuthError, NotLoggedIn } from './errors.js';
import { CLIENT_CREDENTIAL_HEADERS, copilotApiHeaders } from './headers.js';
import { CopilotTokens, exchangeForCopilotToken } from './token-exchange.js';

/** Where model requests go when the exchange names no endpoint. */
export const DEFAULT_COPILOT_API = 'https://api.githubcopilot.com';

/** Where one request goes and what it carries (the proxy's `UpstreamGrant`). */
export interface CopilotGrant {
  target: { origin: string; path: string; base: string };
  headers: [string, string][];
  replaces: readonly string[];
  refused(): void;
}

/** The Copilot API's paths: OpenAI-style endpoints sit at the root (`/chat/completions`), messages under `/v1`. */
function copilotPath(provider: Provider, path: string): string {
  return provider === 'openai' ? path.replace(/^\/v1(?=\/|$)/, '') : path;
}

export class CopilotUpstream {
  constructor(
    private readonly tokens: CopilotTokens,
    /** A Copilot API base URL that wins over the exchange's (empty: the exchange's). */
    private readonly apiOverride = '',
  ) {}

  serves(provider: Provider): boolean {
    return provider === 'openai' || provider === 'anthropic';
  }

  async grant(provider: Provider, path: string, query: string): Promise<CopilotGrant> {
    const copilot = await this.tokens.current();
    const base = this.apiOverride || copilot.apiUrl || DEFAULT_COPILOT_API;
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new CopilotAuthError(`the Copilot API endpoint "${base}" is not a URL`);
    }
    const headers = copilotApiHeaders(copilot.token, provider);
    return {
      target: {
        origin: url.origin,
        path: url.pathname.replace(/\/+$/, '') + copilotPath(provider, path) + query,
        base,
      },
      headers,
      replaces: [...CLIENT_CREDENTIAL_HEADERS, ...headers.map(([name]) => name)],
      refused: () => this.tokens.refused(copilot.token),
    };
  }
}

/** The Copilot upstream of the stored login, with the endpoints `config` names; refuses when none is stored. */
export function copilotUpstream(
  config: Pick<Config, 'githubUrl' | 'githubApiUrl' | 'copilotApiUrl'>,
  env: NodeJS.ProcessEnv = process.env,
): CopilotUpstream {
  const login = readLogin(env);
  if (!login) {
    throw new NotLoggedIn(
      'no GitHub login is stored for Copilot: run `headroom copilot-auth login` (or `headroom copilot-auth login --use-existing`)',
    );
  }
  const endpoints = githubEndpoints(login.domain, config);
  return new CopilotUpstream(
    new CopilotTokens(() => exchangeForCopilotToken(endpoints, login.token)),
    config.copilotApiUrl,
  );
}
