// Where a GitHub login lives: the web host that runs the device flow and the API host that exchanges the
// GitHub token for a Copilot token. github.com, a GitHub Enterprise Cloud host (`*.ghe.com`, whose API is at
// `api.<host>`) or a GitHub Enterprise Server host (`<host>/api/v3`); each overridable for tests and mirrors.

import { ConfigError } from '../errors.js';

/** The OAuth app GitHub's own Copilot editor integration logs in with; Copilot tokens are issued to it. */
export const COPILOT_CLIENT_ID = 'Iv1.b507a08c87ecfe98';

export const DEFAULT_DOMAIN = 'github.com';

export interface GitHubEndpoints {
  /** The host the login belongs to, as the user named it (`github.com`, `acme.ghe.com`). */
  domain: string;
  /** Web base URL: `/login/device/code` and `/login/oauth/access_token` live here. */
  web: string;
  /** REST API base URL: `/user` and `/copilot_internal/v2/token` live here. */
  api: string;
}

export interface EndpointOverrides {
  /** Replaces the web base URL (empty: derived from the domain). */
  githubUrl?: string;
  /** Replaces the API base URL (empty: derived from the domain). */
  githubApiUrl?: string;
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/** A domain as given on the command line, checked: a host name, not a URL. */
export function parseDomain(raw: string): string {
  const domain = raw.trim().toLowerCase();
  if (!HOST_NAME.test(domain)) {
    throw new ConfigError(
      `--domain must be a host name such as github.com or acme.ghe.com, got "${raw}" (no https://, no path)`,
    );
  }
  return domain;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** The endpoints of `domain`, with any override given. */
export function githubEndpoints(domain: string, overrides: EndpointOverrides = {}): GitHubEndpoints {
  const derivedApi =
    domain === DEFAULT_DOMAIN
      ? 'https://api.github.com'
      : domain.endsWith('.ghe.com')
        ? `https://api.${domain}`
        : `https://${domain}/api/v3`;
  return {
    domain,
    web: trimSlash(overrides.githubUrl || `https://${domain}`),
    api: trimSlash(overrides.githubApiUrl || derivedApi),
  };
}
