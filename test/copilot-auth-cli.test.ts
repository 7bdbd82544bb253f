// `headroom copilot-auth login|status|logout` as a user runs them, against a fake GitHub on loopback: the
// device flow with its waits, denial and expiry, reuse of a token already on the machine, and a credential
// file that is the owner's alone and the only place the token is written.

import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, type FakeGitHub, GITHUB_TOKEN, startFakeGitHub, USER_CODE } from './helpers/fake-github.js';
import { runHeadroom, tempDir } from './helpers/wrap.js';

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

function userEnv(extra: Record<string, string> = {}) {
  const home = tempDir('copilot-home');
  const env = {
    HOME: home,
    PATH: dirname(process.execPath),
    HEADROOM_CONFIG_DIR: join(home, 'headroom-config'),
    HEADROOM_CACHE_DIR: join(home, 'headroom-cache'),
    HEADROOM_GITHUB_URL: github!.url,
    HEADROOM_GITHUB_API_URL: github!.url,
    ...extra,
  };
  return { home, env, file: join(env.HEADROOM_CONFIG_DIR, 'copilot-auth.json') };
}

/** Every file under `dir` whose bytes hold `secret`. */
function filesHolding(dir: string, secret: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (readFileSync(path).includes(secret)) found.push(path);
  }
  return found;
}

const polls = () => github!.requests.filter((r) => r.path === '/login/oauth/access_token');

describe('copilot-auth login with the device flow', () => {
  it('shows the code, waits at the interval GitHub names, slows down when told, and stores the token 0600', async () => {
    github = await startFakeGitHub({
      interval: 1,
      polls: ['authorization_pending', { error: 'slow_down', interval: 2 }],
    });
    const { home, env, file } = userEnv();
    const result = await runHeadroom(['copilot-auth', 'login'], env);

    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`Open ${github.url}/login/device and enter the code ${USER_CODE}`);
    expect(result.stdout).toContain(`Logged in to github.com as ${ACCOUNT}`);
    expect(result.stdout + result.stderr).not.toContain(GITHUB_TOKEN);

    const [first, second, third] = polls();
    expect(polls()).toHaveLength(3);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    // After slow_down the next poll waits the new, longer interval.
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(1950);
    expect(JSON.parse(first!.body)).toMatchObject({
      client_id: 'Iv1.b507a08c87ecfe98',
      device_code: 'device-code-0001',
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    });
    // The login was checked: GitHub issues a Copilot token for it, with the editor headers.
    const exchange = github.requests.find((r) => r.path === '/copilot_internal/v2/token');
    expect(exchange?.headers).toMatchObject({ 'editor-version': expect.stringMatching(/^vscode\//) });

    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      domain: 'github.com',
      token: GITHUB_TOKEN,
      account: ACCOUNT,
      source: 'device-flow',
    });
    expect(filesHolding(home, GITHUB_TOKEN)).toEqual([file]);
  });

  it('says the authorization was declined and stores nothing', async () => {
    github = await startFakeGitHub({ interval: 0, polls: ['authorization_pending', 'access_denied'] });
    const { env, file } = userEnv();
    const result = await runHeadroom(['copilot-auth', 'login'], env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^headroom: the authorization was declined on GitHub; nothing was stored/m);
    expect(() => statSync(file)).toThrow();
  });

  it('says the code expired when GitHub does, with how to start again', async () => {
    github = await startFakeGitHub({ interval: 0, polls: ['authorization_pending', 'expired_token'] });
    const { env, file } = userEnv();
    const result = await runHeadroom(['copilot-auth', 'login'], env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `headroom: the code ${USER_CODE} expired before it was entered; run \`headroom copilot-auth login\` again`,
    );
    expect(() => statSync(file)).toThrow();
  });

  it('refuses an account GitHub issues no Copilot token to, storing nothing', async () => {
    github = await startFakeGitHub({ interval: 0, exchangeStatus: 403 });
    const { env, file } = userEnv();
    const result = await runHeadroom(['copilot-auth', 'login'], env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('issues no Copilot token to this account (HTTP 403: no Copilot seat)');
    expect(() => statSync(file)).toThrow();
  });

  it('rejects a --domain that is a URL in one line, exit 2', async () => {
    github = await startFakeGitHub();
    const { env } = userEnv();
    const result = await runHeadroom(['copilot-auth', 'login', '--domain', 'https://github.com/'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(/^headroom: --domain must be a host name/);
  });
});

describe('copilot-auth status and logout', () => {
  it('shows the account, the fingerprint and when it was stored, never the token; logout deletes it', async () => {
    github = await startFakeGitHub({ interval: 0 });
    const { env, file } = userEnv();
    expect((await runHeadroom(['copilot-auth', 'login'], env)).exitCode).toBe(0);

    const status = await runHeadroom(['copilot-auth', 'status', '--json'], env);
    expect(status.exitCode).toBe(0);
    const shown = JSON.parse(status.stdout);
    expect(shown).toMatchObject({ domain: 'github.com', account: ACCOUNT, source: 'device-flow', file });
    expect(shown.fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(Date.parse(shown.storedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(status.stdout).not.toContain(GITHUB_TOKEN);

    const plain = await runHeadroom(['copilot-auth', 'status'], env);
    expect(plain.stdout).toContain(`Logged in to github.com as ${ACCOUNT}`);
    expect(plain.stdout).toContain(shown.fingerprint);

    const logout = await runHeadroom(['copilot-auth', 'logout'], env);
    expect(logout.stdout).toContain(`Logged out: deleted ${file}`);
    expect(() => statSync(file)).toThrow();
    const after = await runHeadroom(['copilot-auth', 'status'], env);
    expect(after.exitCode).toBe(1);
    expect(after.stderr).toContain('headroom: not logged in to GitHub for Copilot');
  });
});

describe('copilot-auth login --use-existing', () => {
  it("reuses the Copilot editor plugin's login for the domain", async () => {
    github = await startFakeGitHub();
    const { home, env, file } = userEnv();
    const dir = join(home, '.config', 'github-copilot');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'apps.json'),
      JSON.stringify({ 'github.com:Iv1.b507a08c87ecfe98': { user: ACCOUNT, oauth_token: GITHUB_TOKEN } }),
    );
    const result = await runHeadroom(['copilot-auth', 'login', '--use-existing'], env);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`Using the token from ${join(dir, 'apps.json')}`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      source: 'copilot-editor',
      account: ACCOUNT,
    });
    expect(github.requests.some((r) => r.path === '/login/device/code')).toBe(false);
  });

  it('skips a variable GitHub refuses and takes the GitHub CLI’s token', async () => {
    github = await startFakeGitHub();
    const bin = tempDir('gh-bin');
    const gh = join(bin, 'gh');
    // The GitHub CLI's `gh auth token --hostname github.com` prints the token it holds.
    writeFileSync(
      gh,
      `#!/bin/sh\n[ "$1 $2 $3 $4" = "auth token --hostname github.com" ] && echo ${GITHUB_TOKEN}\n`,
    );
    chmodSync(gh, 0o755);
    const { env, file } = userEnv({ GH_TOKEN: 'ghp_revokedToken000', PATH: `${bin}:/usr/bin:/bin` });
    const result = await runHeadroom(['copilot-auth', 'login', '--use-existing'], env);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      'Not using the token from $GH_TOKEN: github.com does not accept this token (HTTP 401)',
    );
    expect(result.stderr).toContain('Using the token from `gh auth token`');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ source: 'gh-cli', token: GITHUB_TOKEN });
  });

  it('says where it looked when there is no token to reuse', async () => {
    github = await startFakeGitHub();
    const { env } = userEnv();
    const result = await runHeadroom(['copilot-auth', 'login', '--use-existing'], env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^headroom: no GitHub token for github.com found in ~\/.config\/github-copilot\//m,
    );
  });
});
