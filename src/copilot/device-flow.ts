// GitHub's OAuth device flow (RFC 8628): ask for a device code, show the user the code and where to enter it,
// then poll for the token at the interval GitHub names, slowing down when it says so, until the user
// authorises, declines, or the code runs out.

import type { GitHubEndpoints } from './endpoints.js';
import { AuthorizationDenied, CopilotAuthError, DeviceCodeExpired } from './errors.js';
import { githubJson, numberField, stringField } from './github-http.js';

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  /** Seconds the code is valid for. */
  expiresIn: number;
  /** Seconds to wait between two polls. */
  interval: number;
}

/** RFC 8628 3.5: a `slow_down` answer adds this many seconds to the interval (GitHub may name the new one). */
const SLOW_DOWN_STEP_S = 5;

export async function requestDeviceCode(endpoints: GitHubEndpoints, clientId: string): Promise<DeviceCode> {
  const { status, body } = await githubJson(`${endpoints.web}/login/device/code`, {
    form: { client_id: clientId, scope: 'read:user' },
  });
  const deviceCode = stringField(body, 'device_code');
  const userCode = stringField(body, 'user_code');
  const verificationUri = stringField(body, 'verification_uri');
  if (status !== 200 || !deviceCode || !userCode || !verificationUri) {
    const why = stringField(body, 'error_description') ?? stringField(body, 'error') ?? `HTTP ${status}`;
    throw new CopilotAuthError(`${endpoints.web} did not start a device login (${why})`);
  }
  return {
    deviceCode,
    userCode,
    verificationUri,
    expiresIn: numberField(body, 'expires_in') ?? 900,
    interval: numberField(body, 'interval') ?? 5,
  };
}

export interface PollOptions {
  /** Waits this many ms (tests record the waits instead of sleeping through them). */
  sleep?: (ms: number) => Promise<void>;
  /** The clock the code's expiry is judged by, in ms. */
  now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll until the user authorises the code; resolves to the GitHub token. */
export async function waitForAuthorization(
  endpoints: GitHubEndpoints,
  clientId: string,
  code: DeviceCode,
  { sleep = realSleep, now = Date.now }: PollOptions = {},
): Promise<string> {
  const deadline = now() + code.expiresIn * 1000;
  let interval = code.interval;
  const expired = () =>
    new DeviceCodeExpired(
      `the code ${code.userCode} expired before it was entered; run \`headroom copilot-auth login\` again`,
    );
  for (;;) {
    await sleep(interval * 1000);
    if (now() >= deadline) throw expired();
    const { status, body } = await githubJson(`${endpoints.web}/login/oauth/access_token`, {
      form: {
        client_id: clientId,
        device_code: code.deviceCode,
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      },
    });
    const token = stringField(body, 'access_token');
    if (token) return token;
    const error = stringField(body, 'error');
    switch (error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        interval = numberField(body, 'interval') ?? interval + SLOW_DOWN_STEP_S;
        continue;
      case 'expired_token':
        throw expired();
      case 'access_denied':
        throw new AuthorizationDenied(
          'the authorization was declined on GitHub; nothing was stored (run `headroom copilot-auth login` to try again)',
        );
      default: {
        const why = stringField(body, 'error_description') ?? error ?? `HTTP ${status}`;
        throw new CopilotAuthError(`${endpoints.web} refused the device login (${why})`);
      }
    }
  }
}
