// The proxy carrying a Copilot subscription: official SDK clients talk to the real proxy on loopback, which
// buys a Copilot token from a fake GitHub with the stored login, signs every round with it (the client's own
// key left out), compresses and answers headroom_retrieve as for any upstream, refreshes the token when it is
// due or refused, and writes neither token anywhere but the credential file.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { markerIds } from '../src/compress/marker.js';
import { credentialFile } from '../src/copilot/credential.js';
import { githubEndpoints } from '../src/copilot/endpoints.js';
import { CopilotTokens, exchangeForCopilotToken } from '../src/copilot/token-exchange.js';
import { copilotUpstream } from '../src/copilot/upstream.js';
import type { RunningProxy } from '../src/proxy/server.js';
import { openaiChatConversation, turnsFor } from './helpers/conversation.js';
import { type FakeGitHub, GITHUB_TOKEN, startFakeGitHub, storeDeviceLogin } from './helpers/fake-github.js';
import {
  answer,
  type FakeUpstream,
  type ReceivedRequest,
  startFakeUpstream,
} from './helpers/fake-upstream.js';
import { closedPort, startTestProxy, waitForRows } from './helpers/proxy.js';
import { realOutput } from './helpers/real-outputs.js';
import { until } from './helpers/until.js';
import { runHeadroom, tempDir } from './helpers/wrap.js';

const CLIENT_KEY = 'sk-client-own-key-0000';

let copilotApi: FakeUpstream;
let github: FakeGitHub;
let proxy: RunningProxy;
const home = tempDir('copilot-proxy');
const env = { HEADROOM_CONFIG_DIR: join(home, 'config') };
const cacheDir = join(home, 'cache');

beforeAll(async () => {
  copilotApi = await startFakeUpstream();
  github = await startFakeGitHub({ copilotApi: copilotApi.url });
  storeDeviceLogin(env);
  // The OpenAI and Anthropic upstreams point nowhere: every request must go where the exchange said.
  const nowhere = `http://127.0.0.1:${await closedPort()}`;
  proxy = await startTestProxy(
    nowhere,
    { cacheDir, copilotSubscription: true },
    { login: copilotUpstream({ githubUrl: '', githubApiUrl: github.url, copilotApiUrl: '' }, env) },
  );
});
afterEach(() => copilotApi.script(undefined));
afterAll(async () => {
  await proxy?.close(0);
  await copilotApi?.close();
  await github?.close();
});

const openai = () => new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${proxy.url}/v1`, maxRetries: 0 });
const claude = () => new Anthropic({ apiKey: CLIENT_KEY, baseURL: proxy.url, maxRetries: 0 });
const latest = () => copilotApi.requests.at(-1)!;
const currentToken = () => github.issued.at(-1)!;

/** The request carries the Copilot token and integration headers, and nothing of the client's own key. */
function expectSignedByProxy(req: ReceivedRequest, token = currentToken()) {
  expect(req.headers.authorization).toBe(`Bearer ${token}`);
  expect(req.headers['copilot-integration-id']).toBe('vscode-chat');
  expect(req.headers['editor-version']).toMatch(/^vscode\//);
  expect(req.headers['editor-plugin-version']).toMatch(/^copilot-chat\//);
  expect(req.headers['x-api-key']).toBeUndefined();
  expect(req.rawHeaders.join('\n')).not.toContain(CLIENT_KEY);
}

describe('requests through a Copilot subscription proxy', () => {
  it('sends chat completions to the Copilot API’s /chat/completions, signed with the exchanged token', async () => {
    const completion = await openai().chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(latest().path).toBe('/chat/completions');
    expectSignedByProxy(latest());
    expect(latest().headers['openai-intent']).toBe('conversation-panel');
    // The exchange itself carried the GitHub token and the editor headers.
    const exchange = github.requests.find((r) => r.path === '/copilot_internal/v2/token')!;
    expect(exchange.headers.authorization).toBe(`token ${GITHUB_TOKEN}`);
    expect(exchange.headers['editor-plugin-version']).toMatch(/^copilot-chat\//);
  });

  it('streams chat completions, sends responses to /responses and messages to /v1/messages, on one token', async () => {
    const exchangesBefore = github.issued.length;
    const stream = await openai().chat.completions.create({
      model: 'gpt-4.1',
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBeTruthy();
    expect(latest().path).toBe('/chat/completions');
    expectSignedByProxy(latest());

    const response = await openai().responses.create({ model: 'gpt-5-mini', input: 'hello' });
    expect(response.output_text).toBeTruthy();
    expect(latest().path).toBe('/responses');
    expectSignedByProxy(latest());

    const message = await claude().messages.create({
      model: 'claude-sonnet-4',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(latest().path).toBe('/v1/messages');
    expectSignedByProxy(latest());
    expect(latest().headers['openai-intent']).toBeUndefined();
    // The token was cached in memory: no new exchange for these requests.
    expect(github.issued.length).toBe(exchangesBefore);
  });

  it('buys a new token once when the Copilot API refuses the current one, and the client never sees the 401', async () => {
    const refused = currentToken();
    copilotApi.script((req) =>
      req.headers.authorization === `Bearer ${refused}`
        ? { kind: 'json', status: 401, body: { error: { message: 'token expired' } } }
        : undefined,
    );
    const before = copilotApi.requests.length;
    const completion = await openai().chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hello again' }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const [first, second, extra] = copilotApi.requests.slice(before);
    expect(extra).toBeUndefined();
    expect(first!.headers.authorization).toBe(`Bearer ${refused}`);
    expect(currentToken()).not.toBe(refused);
    expectSignedByProxy(second!, currentToken());
    // The same bytes went again.
    expect(second!.body.equals(first!.body)).toBe(true);
  });

  it('goes again only once: a second refusal reaches the client as the upstream gave it', async () => {
    copilotApi.script(() => ({ kind: 'json', status: 401, body: { error: { message: 'seat removed' } } }));
    const before = copilotApi.requests.length;
    const failure = await openai()
      .chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(copilotApi.requests.length - before).toBe(2);
  });

  it('compresses tool outputs and answers headroom_retrieve, each round signed with the Copilot token', async () => {
    const item = realOutput('json-npm-explain-debug');
    const original = JSON.stringify(item.text).slice(1, -1);
    const CALL = 'call_hr_copilot_1';
    copilotApi.script((req) => {
      if (req.body.toString('utf8').includes(`"${CALL}"`))
        return answer(req, { text: 'debug is used directly.' });
      const id = markerIds(req.body.toString('utf8'))[0]!;
      return answer(req, { toolCalls: [{ id: CALL, name: 'headroom_retrieve', input: { id } }] });
    });
    const before = copilotApi.requests.length;
    const completion = await openai().chat.completions.create({
      model: 'gpt-4.1',
      tools: [
        { type: 'function', function: { name: 'bash', parameters: { type: 'object', properties: {} } } },
      ],
      messages: [
        ...(openaiChatConversation(turnsFor([item])) as OpenAI.Chat.ChatCompletionMessageParam[]),
        { role: 'user', content: 'Which packages pull in debug directly?' },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('debug is used directly.');
    const [round1, round2] = copilotApi.requests.slice(before);
    expect(round1!.body.toString('utf8')).not.toContain(original);
    expect(round2!.body.toString('utf8')).toContain(original);
    expectSignedByProxy(round1!);
    expectSignedByProxy(round2!);
    const row = await until(
      async () => (await proxy.store.rows({}, { limit: 20 })).find((r) => r.retrievals > 0),
      'the row of the request that retrieved',
    );
    expect(row).toMatchObject({ status: 200, retrievals: 1 });
    expect(row.tokensAfter).toBeLessThan(row.tokensBefore ?? 0);
  });

  it('writes neither token to any file but the credential file (stores, logs, config)', async () => {
    await waitForRows(proxy, 1);
    const files = readdirSync(home, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    expect(files.length).toBeGreaterThan(1);
    const holding = (secret: string) => files.filter((file) => readFileSync(file).includes(secret));
    expect(holding(GITHUB_TOKEN)).toEqual([credentialFile(env)]);
    for (const token of github.issued) expect(holding(token)).toEqual([]);
    // The distinctive part of each Copilot token, in case a file held it re-encoded around its prefix.
    for (const token of github.issued) expect(holding(token.split(';').at(-1)!)).toEqual([]);
  });
});

describe('the Copilot token cache', () => {
  it('keeps a token until its refresh time, then buys the next one before it expires', async () => {
    const fresh = await startFakeGitHub({
      copilotApi: copilotApi.url,
      copilotLifetimeS: 1800,
      copilotRefreshInS: 1500,
    });
    try {
      let now = Date.now();
      const clock = () => now;
      const endpoints = githubEndpoints('github.com', { githubApiUrl: fresh.url });
      const tokens = new CopilotTokens(() => exchangeForCopilotToken(endpoints, GITHUB_TOKEN, clock), clock);
      const first = await tokens.current();
      expect(first.apiUrl).toBe(copilotApi.url);
      expect(first.expiresAt - first.refreshAt).toBeGreaterThan(0);
      now += 1499_000;
      expect((await tokens.current()).token).toBe(first.token);
      now += 2000;
      const second = await tokens.current();
      expect(second.token).not.toBe(first.token);
      expect(fresh.issued).toEqual([first.token, second.token]);
      // Concurrent requests at a refresh share one exchange.
      now = second.refreshAt + 1;
      await Promise.all([tokens.current(), tokens.current(), tokens.current()]);
      expect(fresh.issued).toHaveLength(3);
    } finally {
      await fresh.close();
    }
  });

  it('refreshes a minute before expiry when GitHub names no refresh time that comes sooner', async () => {
    const fresh = await startFakeGitHub({
      copilotApi: copilotApi.url,
      copilotLifetimeS: 600,
      copilotRefreshInS: 3600,
    });
    try {
      const token = await exchangeForCopilotToken(
        githubEndpoints('github.com', { githubApiUrl: fresh.url }),
        GITHUB_TOKEN,
      );
      expect(token.expiresAt - token.refreshAt).toBe(60_000);
    } finally {
      await fresh.close();
    }
  });
});

describe('a Copilot token that is due for refresh', () => {
  it('is bought again before the next request through the proxy, which carries the new one', async () => {
    // refresh_in 0: every token is due at once, as an hour-old one is.
    const due = await startFakeGitHub({ copilotApi: copilotApi.url, copilotRefreshInS: 0 });
    const dueEnv = { HEADROOM_CONFIG_DIR: join(tempDir('copilot-due'), 'config') };
    storeDeviceLogin(dueEnv);
    const refreshing = await startTestProxy(
      `http://127.0.0.1:${await closedPort()}`,
      {},
      { login: copilotUpstream({ githubUrl: '', githubApiUrl: due.url, copilotApiUrl: '' }, dueEnv) },
    );
    try {
      const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${refreshing.url}/v1`, maxRetries: 0 });
      for (const n of [1, 2]) {
        await client.chat.completions.create({
          model: 'gpt-4.1',
          messages: [{ role: 'user', content: `hi ${n}` }],
        });
        expect(due.issued).toHaveLength(n);
        expectSignedByProxy(latest(), due.issued[n - 1]);
      }
    } finally {
      await refreshing.close(0);
      await due.close();
    }
  });
});

describe('a Copilot subscription proxy without a usable login', () => {
  it('answers 401 in the provider’s error shape, saying how to log in again, when GitHub refuses the login', async () => {
    const refusing = await startFakeGitHub({ copilotApi: copilotApi.url });
    const otherEnv = { HEADROOM_CONFIG_DIR: join(tempDir('copilot-revoked'), 'config') };
    storeDeviceLogin(otherEnv, 'gho_revoked');
    const revoked = await startTestProxy(
      copilotApi.url,
      {},
      { login: copilotUpstream({ githubUrl: '', githubApiUrl: refusing.url, copilotApiUrl: '' }, otherEnv) },
    );
    try {
      const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${revoked.url}/v1`, maxRetries: 0 });
      const failure = await client.chat.completions
        .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((failure as Error).message).toContain(
        'no longer accepts the stored login (HTTP 401: Bad credentials); run `headroom copilot-auth login`',
      );
    } finally {
      await revoked.close(0);
      await refusing.close();
    }
  });

  it.each([
    { how: 'HEADROOM_COPILOT_SUBSCRIPTION=1', args: [], env: { HEADROOM_COPILOT_SUBSCRIPTION: '1' } },
    { how: '--copilot-subscription', args: ['--copilot-subscription'], env: {} },
  ])(
    '`headroom proxy` with $how and no login refuses to start, in one line',
    async ({ args, env: extra }) => {
      const dir = tempDir('copilot-nologin');
      const result = await runHeadroom(['proxy', '--port', '0', ...args], {
        HOME: dir,
        PATH: process.env.PATH,
        HEADROOM_CONFIG_DIR: join(dir, 'config'),
        HEADROOM_CACHE_DIR: join(dir, 'cache'),
        ...extra,
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr.trim()).toBe(
        'headroom: no GitHub login is stored for Copilot: run `headroom copilot-auth login` (or `headroom copilot-auth login --use-existing`)',
      );
    },
  );
});
