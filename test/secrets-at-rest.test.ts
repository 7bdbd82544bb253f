// Keys never reach a file. A `headroom proxy` child with a proxy key serves requests carrying an Anthropic key,
// a subscription bearer token, a gateway token and a Gemini key (in its header and its query string): answers
// that compress, retrieve loops answered in JSON and in a stream, continuations the upstream refuses or answers
// with an error page that echoes the caller's credentials, an upstream error that does the same, an upstream
// that cannot be reached, a wrong proxy key, an abort mid-stream. `headroom wrap` then runs a turn through it and
// through a proxy of its own at debug level. Every file under the run's HOME (cache dir with its SQLite files and
// their -wal journals read as bytes, logs, config dir, temporary files), the originals decompressed, and
// everything the processes printed must hold none of the secrets.

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { ResultPromise } from 'execa';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answer,
  anthropicEvents,
  type FakeUpstream,
  type ReceivedRequest,
  type Reply,
  startFakeUpstream,
} from './helpers/fake-upstream.js';
import { closedPort } from './helpers/proxy.js';
import { type ProxyProcess, spawnProxyProcess } from './helpers/proxy-process.js';
import { realOutput } from './helpers/real-outputs.js';
import { agentPath, runHeadroom, wrapEnv } from './helpers/wrap.js';

// Shaped as the real ones are, and one of each that no redaction pattern recognises.
const SECRETS = {
  proxyKey: 'team-proxy-key-c4f1e29a7b',
  wrongProxyKey: 'guessed-proxy-key-0d9e8f7a',
  anthropicKey: 'sk-ant-api03-Zq8xLw2Rk5Tn9Vb3Hy6Jm1Pc4Fd7Gs0A',
  oauthToken: 'sk-ant-oat01-Mf3Kd8Qw1Zx6Cv9Bn2Lp5Rt7Yh4Ej0U',
  gatewayToken: 'corp-gateway-token-5e2d8c1f4b7a',
  geminiKey: 'AIzaSyD3x9Qm7Lk2Wp5Rn8Tv1Bc4Hf6Jg0Ks',
};

const QUESTION = 'why did the server fail?';
const MARKER = /hr_[0-9a-f]{12}/;

let upstream: FakeUpstream;
let proxy: ProxyProcess;
const children: ResultPromise[] = [];
let home: string;
let env: Record<string, string>;
let logFile: string;
/** Everything the processes of the run printed. */
let printed = '';

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/** `file: secret name` for each secret some file under HOME holds, its bytes read as they are. */
function secretsInFiles(): string[] {
  const found: string[] = [];
  for (const file of filesUnder(home)) {
    const bytes = readFileSync(file);
    for (const [name, secret] of Object.entries(SECRETS)) {
      if (bytes.includes(secret)) found.push(`${file}: ${name}`);
    }
  }
  return found;
}

/** The same for the originals, which the store keeps brotli-compressed. */
function secretsInOriginals(): string[] {
  const db = new Database(join(env.HEADROOM_CACHE_DIR as string, 'originals.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT id, data FROM originals').all() as { id: string; data: Buffer }[];
    expect(rows.length).toBeGreaterThan(0);
    return rows.flatMap(({ id, data }) => {
      const text = brotliDecompressSync(data).toString('utf8');
      return Object.entries(SECRETS)
        .filter(([, secret]) => text.includes(secret))
        .map(([name]) => `original ${id}: ${name}`);
    });
  } finally {
    db.close();
  }
}

const secretsIn = (text: string) =>
  Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret))
    .map(([name]) => name);

/** An error page of a gateway that echoes the credentials it was sent, as some do. */
function echoingErrorPage(req: ReceivedRequest): string {
  const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
  const credentials = [req.headers['x-api-key'], bearer, req.headers['x-goog-api-key']].filter(Boolean);
  return `<html><body>401: credential ${credentials.join(', ')} is not valid for this gateway</body></html>`;
}

/**
 * The fake model API: a turn that carries a compressed output asks for it back with headroom_retrieve; what
 * follows depends on words in the question.
 */
function script(req: ReceivedRequest): Reply | undefined {
  const body = req.body.toString('utf8');
  const marker = MARKER.exec(body)?.[0];
  // A continuation carries the model's headroom_retrieve call back (the first round only offers the tool).
  const continuing = /"type":"tool_use","id":"[^"]+","name":"headroom_retrieve"/.test(body);
  if (body.includes('fail the request')) {
    return { kind: 'json', status: 500, body: { error: { message: echoingErrorPage(req) } } };
  }
  if (body.includes('hold the stream')) {
    // Two events, then nothing until the client gives up.
    return { kind: 'sse', events: anthropicEvents(req), holdAfter: 2, release: new Promise(() => {}) };
  }
  if (continuing && body.includes('refuse the continuation')) {
    return { kind: 'json', status: 401, body: { error: { message: echoingErrorPage(req) } } };
  }
  if (continuing && body.includes('garble the continuation')) {
    return { kind: 'json', headers: { 'content-type': 'text/html' }, body: echoingErrorPage(req) };
  }
  if (marker && !continuing) {
    return answer(req, { toolCall: { name: 'headroom_retrieve', input: { id: marker, query: 'ERROR' } } });
  }
  return undefined;
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  upstream.script(script);
  const base = wrapEnv({ path: agentPath('claude') });
  home = base.HOME as string;
  env = {
    ...(base as Record<string, string>),
    // Temporary files of the run land under HOME too, so the search sees them.
    TMPDIR: join(home, 'tmp'),
    HEADROOM_API_KEY: SECRETS.proxyKey,
    ANTHROPIC_API_KEY: SECRETS.anthropicKey,
    OPENAI_API_KEY: SECRETS.gatewayToken,
    GEMINI_API_KEY: SECRETS.geminiKey,
  };
  mkdirSync(env.TMPDIR as string, { recursive: true });
  const dead = `http://127.0.0.1:${await closedPort()}`;
  proxy = await spawnProxyProcess(
    [
      '--verbose',
      '--anthropic-upstream',
      upstream.url,
      '--openai-upstream',
      upstream.url,
      '--gemini-upstream',
      dead,
    ],
    env,
    children,
  );
  logFile = join(home, 'proxy.log');
}, 30_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await upstream?.close();
});

/** Headers of a client of the keyed proxy. */
const keyed = (extra: Record<string, string>) => ({ 'x-headroom-key': SECRETS.proxyKey, ...extra });

/** A conversation in which a command printed a long log, asking `question` about it. */
function conversation(question: string, stream = false) {
  return JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 256,
    stream,
    tools: [{ name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
    messages: [
      { role: 'user', content: `${QUESTION} ${question}` },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_01', name: 'Bash', input: { command: 'cat server.log' } }],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01', content: realOutput('log-express-debug').text },
        ],
      },
    ],
  });
}

async function post(path: string, headers: Record<string, string>, body: string) {
  const response = await request(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, text };
}

const anthropicKey = { 'x-api-key': SECRETS.anthropicKey, 'anthropic-version': '2023-06-01' };
// A company gateway in front of the Anthropic API, with a token of its own (ANTHROPIC_AUTH_TOKEN).
const gateway = { authorization: `Bearer ${SECRETS.gatewayToken}`, 'anthropic-version': '2023-06-01' };
const oauth = {
  authorization: `Bearer ${SECRETS.oauthToken}`,
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'oauth-2025-04-20',
};

describe('secrets at rest', () => {
  it('writes none of the keys and tokens it handled to any file, and prints none', async () => {
    // Answers that compress, with the model asking for the original back, in JSON and in a stream.
    const json = await post('/v1/messages', keyed(anthropicKey), conversation('look closely'));
    expect(json.status, json.text).toBe(200);
    const streamed = await post('/v1/messages', keyed(oauth), conversation('stream it', true));
    expect(streamed.status).toBe(200);
    expect(streamed.text).toContain('message_stop');
    // Continuations the upstream refuses, or answers with a page that echoes the credentials.
    expect(
      (await post('/v1/messages', keyed(anthropicKey), conversation('refuse the continuation'))).status,
    ).toBe(401);
    expect((await post('/v1/messages', keyed(gateway), conversation('garble the continuation'))).status).toBe(
      502,
    );
    // An upstream error that echoes the caller's token, through an OpenAI-compatible gateway.
    const chat = JSON.stringify({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'fail the request' }],
    });
    expect(
      (await post('/v1/chat/completions', keyed({ authorization: `Bearer ${SECRETS.gatewayToken}` }), chat))
        .status,
    ).toBe(500);
    // An upstream that cannot be reached, with the key in the query string as well as the header.
    const gemini = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: QUESTION }] }] });
    const unreachable = await post(
      `/v1beta/models/gemini-2.5-pro:generateContent?key=${SECRETS.geminiKey}`,
      keyed({ 'x-goog-api-key': SECRETS.geminiKey }),
      gemini,
    );
    expect(unreachable.status).toBe(502);
    // A client that gives up mid-stream.
    const controller = new AbortController();
    const held = await request(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...keyed(oauth) },
      body: JSON.stringify({ ...JSON.parse(conversation('hold the stream', true)), tools: undefined }),
      signal: controller.signal,
    });
    for await (const _chunk of held.body) break;
    controller.abort();
    // A caller with the wrong proxy key.
    const wrong = await post(
      '/v1/messages',
      { ...anthropicKey, 'x-headroom-key': SECRETS.wrongProxyKey },
      '{}',
    );
    expect(wrong.status).toBe(401);
    // A token count, and an admin read.
    const count = JSON.stringify({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: QUESTION }],
    });
    expect((await post('/v1/messages/count_tokens', keyed(anthropicKey), count)).status).toBe(200);
    expect((await request(`${proxy.url}/stats`, { headers: keyed({}) })).statusCode).toBe(200);

    // A wrapped agent's turn through the running proxy, and through a proxy of wrap's own at debug level.
    const log = join(home, 'tmp', 'server.log');
    writeFileSync(log, realOutput('log-express-debug').text);
    const joined = await runHeadroom(
      ['wrap', 'claude', '--proxy-url', proxy.url, '--', `claude-code=${log}`],
      env,
    );
    expect(joined.exitCode, joined.stderr).toBe(0);
    const own = await runHeadroom(
      ['wrap', 'claude', '--verbose', '--anthropic-upstream', upstream.url, '--', `claude-code=${log}`],
      env,
    );
    expect(own.exitCode, own.stderr).toBe(0);
    printed += joined.stdout + joined.stderr + own.stdout + own.stderr;

    // While the proxy runs, its SQLite files have their -wal journals beside them.
    const running = filesUnder(home).map((file) => file.slice(home.length));
    expect(running).toEqual(expect.arrayContaining(['/cache/stats.db-wal', '/cache/originals.db-wal']));
    const whileRunning = secretsInFiles();

    const child = children[0] as ResultPromise;
    child.kill('SIGTERM');
    const exited = await child;
    printed += proxy.stderr() + String(exited.stdout ?? '');
    // The proxy's log, kept as a service manager would keep it.
    writeFileSync(logFile, proxy.stderr());
    expect(statSync(logFile).size).toBeGreaterThan(0);

    // The run did what it was meant to: rows of every kind, and originals read back.
    const stats = new Database(join(env.HEADROOM_CACHE_DIR as string, 'stats.db'), { readonly: true });
    const rows = stats.prepare('SELECT status, error, retrievals FROM requests').all() as {
      status: number;
      error: string | null;
      retrievals: number;
    }[];
    stats.close();
    expect(rows.some((row) => row.retrievals > 0)).toBe(true);
    expect(rows.some((row) => row.error === 'upstream unreachable')).toBe(true);
    expect(rows.some((row) => row.status === 500)).toBe(true);

    expect(whileRunning).toEqual([]);
    expect(secretsInFiles()).toEqual([]);
    expect(secretsInOriginals()).toEqual([]);
    expect(secretsIn(printed)).toEqual([]);
  }, 120_000);
});
