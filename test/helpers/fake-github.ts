// A fake GitHub on loopback for the Copilot login: the device flow (`/login/device/code`, then
// `/login/oauth/access_token` answering from a script: authorization_pending, slow_down, access_denied,
// expired_token, success), `/user`, and the Copilot token exchange (`/copilot_internal/v2/token`), which
// issues numbered tokens pointing at a fake Copilot API. Records every request.
//
//   const github = await startFakeGitHub({ copilotApi: upstream.url, polls: ['authorization_pending', 'slow_down'] });
//   github.url; github.requests; github.issued   // the Copilot tokens handed out, in order
//   await github.close();

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeLogin } from '../../src/copilot/credential.js';

export const GITHUB_TOKEN = 'gho_fakeGitHubToken0000SECRET1234567890';
export const ACCOUNT = 'octo-dev';
export const USER_CODE = 'WDJB-MJHT';

/** Keep the login a finished device flow on github.com would have left, in the config dir `env` names. */
export function storeDeviceLogin(env: NodeJS.ProcessEnv, token = GITHUB_TOKEN): void {
  writeLogin(
    {
      domain: 'github.com',
      token,
      account: ACCOUNT,
      source: 'device-flow',
      storedAt: new Date().toISOString(),
    },
    env,
  );
}

/** One answer of the access-token endpoint: an RFC 8628 error code (with an optional new interval), or success. */
export type PollAnswer =
  | 'authorization_pending'
  | 'access_denied'
  | 'expired_token'
  | { error: 'slow_down'; interval?: number }
  | 'success';

export interface FakeGitHubOptions {
  /** Where the exchange says the Copilot API is (`endpoints.api`). */
  copilotApi?: string;
  /** Answers of the access-token endpoint in order; past the end, success. */
  polls?: PollAnswer[];
  /** Seconds between polls the device code names. */
  interval?: number;
  /** Copilot token lifetime (`expires_at` - now) and `refresh_in`, in seconds. */
  copilotLifetimeS?: number;
  copilotRefreshInS?: number;
  /** Status the exchange answers with instead of a token (e.g. 403: no Copilot seat). */
  exchangeStatus?: number;
}

export interface FakeGitHubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** ms since the epoch, when it arrived. */
  at: number;
}

export interface FakeGitHub {
  url: string;
  requests: FakeGitHubRequest[];
  /** Copilot tokens issued by the exchange, in order. */
  issued: string[];
  close(): Promise<void>;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const requests: FakeGitHubRequest[] = [];
  const issued: string[] = [];
  const polls = [...(options.polls ?? [])];
  let url = '';
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: Date.now(),
    });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const authorised = req.headers.authorization === `token ${GITHUB_TOKEN}`;
    if (req.method === 'POST' && path === '/login/device/code') {
      return send(200, {
        device_code: 'device-code-0001',
        user_code: USER_CODE,
        verification_uri: `${url}/login/device`,
        expires_in: 900,
        interval: options.interval ?? 1,
      });
    }
    if (req.method === 'POST' && path === '/login/oauth/access_token') {
      const next = polls.shift() ?? 'success';
      if (next === 'success')
        return send(200, { access_token: GITHUB_TOKEN, token_type: 'bearer', scope: 'read:user' });
      if (typeof next === 'object') return send(200, next);
      return send(200, { error: next, error_description: `fake ${next}` });
    }
    if (req.method === 'GET' && path === '/user') {
      return authorised ? send(200, { login: ACCOUNT, id: 1 }) : send(401, { message: 'Bad credentials' });
    }
    if (req.method === 'GET' && path === '/copilot_internal/v2/token') {
      if (!authorised) return send(401, { message: 'Bad credentials' });
      if (options.exchangeStatus) return send(options.exchangeStatus, { message: 'no Copilot seat' });
      const token = `tid=fake;exp=${issued.length + 1};copilot-token-${issued.length + 1}`;
      issued.push(token);
      const now = Math.floor(Date.now() / 1000);
      return send(200, {
        token,
        expires_at: now + (options.copilotLifetimeS ?? 1800),
        refresh_in: options.copilotRefreshInS ?? 1500,
        endpoints: { api: options.copilotApi ?? `${url}/copilot-api-not-set` },
      });
    }
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    issued,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
