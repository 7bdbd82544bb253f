// `headroom mcp serve` as an agent meets it: the MCP SDK's own client starts the built CLI over stdio (and
// talks to it over Streamable HTTP), lists the tools, compresses real tool outputs, reads a real source
// file, gets originals back (those the proxy stored too), and sees each call counted in the stats.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { markerIds } from '../src/compress/marker.js';
import { anthropicConversation, turnsFor } from './helpers/conversation.js';
import { answer, type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy } from './helpers/proxy.js';
import { realOutput, realSourceFile } from './helpers/real-outputs.js';

const bin = resolve(import.meta.dirname, '../bin/run.js');
const run = promisify(execFile);

/** A project directory and a private cache and config, as one user's machine. */
function isolated() {
  const home = mkdtempSync(join(tmpdir(), 'headroom-mcp-'));
  const project = join(home, 'project');
  mkdirSync(project);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HEADROOM_CACHE_DIR: join(home, 'cache'),
    HEADROOM_CONFIG_DIR: join(home, 'config'),
  };
  return { home, project, env };
}

const texts = (result: CallToolResult) =>
  result.content.flatMap((part) => (part.type === 'text' ? [part.text] : []));
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

/** An original read back whole: page after page, following the offset each page names, as a model would. */
async function retrieveWhole(client: Client, id: string | undefined): Promise<string> {
  let whole = '';
  let offset: number | undefined;
  for (;;) {
    const page =
      texts(
        await call(client, 'headroom_retrieve', { id, ...(offset === undefined ? {} : { offset }) }),
      )[0] ?? '';
    const next =
      /\n\[headroom: characters \d+-\d+ of \d+ shown; (?:call headroom_retrieve again with offset=(\d+)|this is the end)[^\]]*\]$/.exec(
        page,
      );
    if (!next) return whole + page;
    whole += page.slice(0, next.index);
    if (next[1] === undefined) return whole;
    offset = Number(next[1]);
  }
}

async function stdioClient(machine: ReturnType<typeof isolated>): Promise<Client> {
  const client = new Client({ name: 'headroom-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [bin, 'mcp', 'serve'],
      cwd: machine.project,
      env: machine.env,
      stderr: 'pipe',
    }),
  );
  return client;
}

describe('headroom mcp serve over stdio', () => {
  const machine = isolated();
  let client: Client;
  beforeAll(async () => {
    client = await stdioClient(machine);
  });
  afterAll(async () => {
    await client.close();
  });

  it('lists the four tools, each described for a model', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'headroom_compress',
      'headroom_read',
      'headroom_retrieve',
      'headroom_stats',
    ]);
    for (const tool of tools) expect(tool.description?.length).toBeGreaterThan(120);
    const retrieve = tools.find((tool) => tool.name === 'headroom_retrieve');
    expect(retrieve?.inputSchema.required).toEqual(['id']);
  });

  it('compresses a real log with its marker and token figures, and gives the original back byte for byte', async () => {
    const log = realOutput('log-express-debug').text;
    const compressed = await call(client, 'headroom_compress', { content: log, query: 'RangeError' });
    expect(compressed.isError).toBeFalsy();
    const [text, figures] = texts(compressed);
    const structured = compressed.structuredContent as {
      tokensBefore: number;
      tokensAfter: number;
      originalId: string;
    };
    expect(structured.tokensAfter).toBeLessThan(structured.tokensBefore / 2);
    expect(figures).toBe(
      `[headroom: logs transform, ${structured.tokensBefore} → ${structured.tokensAfter} tokens]`,
    );
    expect(text).toContain('RangeError');
    expect(markerIds(text ?? '')).toEqual([structured.originalId]);

    expect(await retrieveWhole(client, structured.originalId)).toBe(log);

    const matching = await call(client, 'headroom_retrieve', {
      id: structured.originalId,
      query: 'RangeError',
    });
    const [head, ...lines] = (texts(matching)[0] ?? '').split('\n');
    expect(head).toMatch(/^\[headroom: \d+ of \d+ lines of hr_[0-9a-f]{12} match "RangeError"\]$/);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^\d+: .*RangeError/);
  });

  it('compresses JSON given as a kind', async () => {
    const json = realOutput('json-npm-ls-all').text;
    const result = await call(client, 'headroom_compress', { content: json, kind: 'json' });
    const structured = result.structuredContent as {
      kind: string;
      transform: string;
      tokensAfter: number;
      tokensBefore: number;
    };
    expect(structured.kind).toBe('json');
    expect(structured.transform).toBe('json');
    expect(structured.tokensAfter).toBeLessThan(structured.tokensBefore);
  });

  it('says an unknown id is unknown and not to retry it, as a tool error', async () => {
    const result = await call(client, 'headroom_retrieve', { id: 'hr_000000000000' });
    expect(result.isError).toBe(true);
    expect(texts(result)).toEqual([
      'headroom: unknown id hr_000000000000: expired or never stored; do not retry it, use the shortened text',
    ]);
  });

  it('answers bad input with a one-line tool error and keeps serving', async () => {
    for (const [name, args, reason] of [
      ['headroom_retrieve', { id: 'not-an-id' }, 'id must be hr_ followed by 12 hex digits'],
      ['headroom_compress', { content: '' }, 'content is empty'],
      ['headroom_compress', { content: 42 }, 'content'],
      ['headroom_read', { path: '' }, 'path is empty'],
    ] as const) {
      const result = await call(client, name, args);
      expect(result.isError).toBe(true);
      const [message] = texts(result);
      expect(message).toContain(reason);
      expect(message).not.toContain('\n');
    }
    expect((await client.listTools()).tools).toHaveLength(4);
  });

  it('reads a large source file of the project as a numbered outline, its original one retrieve away', async () => {
    const source = realSourceFile();
    writeFileSync(join(machine.project, 'client.ts'), source.text);
    const result = await call(client, 'headroom_read', { path: 'client.ts', query: 'maxRetries' });
    expect(result.isError).toBeFalsy();
    const [head, body, figures] = texts(result);
    const lines = source.text.replace(/\n$/, '').split('\n').length;
    expect(head).toBe(`[headroom_read: ${join(machine.project, 'client.ts')}, lines 1-${lines} of ${lines}]`);
    expect(figures).toMatch(/^\[headroom: code transform, \d+ → \d+ tokens\]$/);
    expect(body?.length).toBeLessThan(source.text.length * 0.8);
    expect(body).toMatch(/^ +\d+\t/m);
    const needle = source.needles[0] ?? '';
    expect(body).toContain(needle.trim());
    const [id] = markerIds(body ?? '');
    const original = await call(client, 'headroom_retrieve', { id });
    expect(texts(original)[0]).toContain(`     1\t${source.text.split('\n')[0]}`);
  });

  it('reads a line range of a small file whole', async () => {
    writeFileSync(join(machine.project, 'notes.txt'), 'one\ntwo\nthree\nfour\n');
    const result = await call(client, 'headroom_read', { path: 'notes.txt', from: 2, to: 3 });
    expect(texts(result)).toEqual([
      `[headroom_read: ${join(machine.project, 'notes.txt')}, lines 2-3 of 4]`,
      '     2\ttwo\n     3\tthree',
      expect.stringMatching(/^\[headroom: passed whole, \d+ tokens\]$/),
    ]);
  });

  it('refuses files outside the project root', async () => {
    writeFileSync(join(machine.home, 'secret.txt'), 'not for the model\n');
    for (const path of ['../secret.txt', join(machine.home, 'secret.txt')]) {
      const result = await call(client, 'headroom_read', { path });
      expect(result.isError).toBe(true);
      expect(texts(result)[0]).toBe(
        `headroom: ${path} is outside the project root ${machine.project}; allow its directory with HEADROOM_MCP_READ_PATHS`,
      );
    }
  });

  let counted = 0;
  it('counts its calls in the stats, tagged mcp', async () => {
    const bad = await call(client, 'headroom_stats', { since: 'yesterday' });
    expect(texts(bad)).toEqual([
      'headroom: cannot read duration "yesterday" (use e.g. 30m, 24h, 7d, 2w or 1h30m)',
    ]);
    const result = await call(client, 'headroom_stats', { since: '1h' });
    const report = JSON.parse(texts(result)[0] ?? '{}') as {
      totals: { requests: number; tokensSaved: number; retrievals: number };
      sessions: { agent: string; project: string }[];
    };
    expect(report.totals.requests).toBeGreaterThanOrEqual(10);
    expect(report.totals.tokensSaved).toBeGreaterThan(0);
    expect(report.totals.retrievals).toBeGreaterThanOrEqual(3);
    expect(report.sessions.map((s) => [s.agent, s.project])).toContainEqual(['mcp', machine.project]);
    counted = report.totals.requests;
  });

  it('leaves its rows for `headroom stats --agent mcp` once the client is gone', async () => {
    await client.close();
    const { stdout } = await run(process.execPath, [bin, 'stats', '--agent', 'mcp', '--json'], {
      env: machine.env,
    });
    const report = JSON.parse(stdout) as { totals: { requests: number; retrievals: number } };
    // Every call headroom_stats counted, and the headroom_stats call itself.
    expect(report.totals.requests).toBe(counted + 1);
    expect(report.totals.retrievals).toBeGreaterThanOrEqual(3);
    client = await stdioClient(machine);
  });
});

describe('the MCP server and the proxy', () => {
  let upstream: FakeUpstream;
  afterEach(async () => upstream?.close());

  it('resolves through headroom_retrieve an id the proxy stored', async () => {
    const machine = isolated();
    upstream = await startFakeUpstream();
    upstream.script((req) => answer(req, { text: 'done' }));
    const proxy = await startTestProxy(upstream.url, { cacheDir: machine.env.HEADROOM_CACHE_DIR });
    const item = realOutput('log-npm-ci-offline');
    try {
      const claude = new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 });
      await claude.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        messages: [
          ...(anthropicConversation(turnsFor([item])) as Anthropic.MessageParam[]),
          { role: 'user', content: 'why did the install fail?' },
        ],
      });
    } finally {
      await proxy.close(0);
    }
    const [sent] = await upstream.waitForRequests(1);
    const [id] = markerIds(sent?.body.toString('utf8') ?? '');
    expect(id).toMatch(/^hr_[0-9a-f]{12}$/);
    const client = await stdioClient(machine);
    try {
      expect(await retrieveWhole(client, id)).toBe(item.text);
    } finally {
      await client.close();
    }
  });

  it('adds no second retrieve tool for an agent that has headroom_retrieve through the MCP server', async () => {
    const machine = isolated();
    upstream = await startFakeUpstream();
    const proxy = await startTestProxy(upstream.url, { cacheDir: machine.env.HEADROOM_CACHE_DIR });
    const item = realOutput('log-npm-ci-offline');
    const mcpRetrieve = {
      name: 'mcp__headroom__headroom_retrieve',
      description: 'Get back the original of content headroom shortened',
      input_schema: { type: 'object' as const, properties: { id: { type: 'string' } }, required: ['id'] },
    };
    const call = {
      name: 'mcp__headroom__headroom_retrieve',
      input: { id: 'hr_000000000000' },
      id: 'toolu_mcp_1',
    };
    upstream.script((req) => answer(req, { toolCall: call }));
    try {
      const claude = new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 });
      const reply = await claude.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        tools: [mcpRetrieve],
        messages: [
          ...(anthropicConversation(turnsFor([item])) as Anthropic.MessageParam[]),
          { role: 'user', content: 'why did the install fail?' },
        ],
      });
      const [sent] = await upstream.waitForRequests(1);
      const body = sent?.json() as { tools: { name: string }[] };
      expect(body.tools.map((tool) => tool.name)).toEqual(['mcp__headroom__headroom_retrieve']);
      expect(markerIds(sent?.body.toString('utf8') ?? '')).toHaveLength(1);
      // The model's call goes to the agent, which runs it on its MCP server: the proxy does not answer it.
      expect(reply.content).toEqual([
        expect.objectContaining({ type: 'tool_use', name: call.name, input: call.input }),
      ]);
    } finally {
      await proxy.close(0);
    }
  });
});

/** Start `headroom mcp serve --transport http` and wait for the URL it prints. */
async function httpServer(
  machine: ReturnType<typeof isolated>,
  args: string[] = [],
  env: Record<string, string> = {},
) {
  const child = spawn(
    process.execPath,
    [bin, 'mcp', 'serve', '--transport', 'http', '--port', '0', ...args],
    {
      cwd: machine.project,
      env: { ...machine.env, ...env },
    },
  );
  let stderr = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const found = /listening on (\S+)/.exec(stderr);
      if (found) resolveUrl(found[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { child, url };
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolveExit) => {
    child.once('exit', () => resolveExit());
    child.kill('SIGTERM');
  });

describe('headroom mcp serve --transport http', () => {
  it('serves the tools over Streamable HTTP on loopback', async () => {
    const machine = isolated();
    const { child, url } = await httpServer(machine);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const client = new Client({ name: 'headroom-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      expect((await client.listTools()).tools).toHaveLength(4);
      const log = realOutput('log-http-access').text;
      const compressed = await call(client, 'headroom_compress', { content: log });
      const { originalId } = compressed.structuredContent as { originalId: string };
      const page = texts(await call(client, 'headroom_retrieve', { id: originalId }))[0] ?? '';
      expect(page.length).toBeGreaterThan(10_000);
      expect(log.startsWith(page.slice(0, page.lastIndexOf('\n[headroom: characters')))).toBe(true);
      await client.close();
    } finally {
      await stop(child);
    }
  });

  it('refuses to listen off loopback without HEADROOM_API_KEY', async () => {
    const machine = isolated();
    const result = await run(
      process.execPath,
      [bin, 'mcp', 'serve', '--transport', 'http', '--host', '0.0.0.0', '--port', '0'],
      {
        env: machine.env,
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(result).toMatchObject({ code: 2 });
    expect((result as { stderr: string }).stderr).toBe(
      'headroom: refusing to listen on 0.0.0.0 without a key: set HEADROOM_API_KEY (clients then send it as Authorization: Bearer <key> or x-headroom-key), or bind 127.0.0.1\n',
    );
  });

  it('with a key, answers only clients that send it', async () => {
    const machine = isolated();
    const { child, url } = await httpServer(machine, [], { HEADROOM_API_KEY: 'k-test-123' });
    try {
      const refused = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(refused.status).toBe(401);
      const client = new Client({ name: 'headroom-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          requestInit: { headers: { authorization: 'Bearer k-test-123' } },
        }),
      );
      expect((await client.listTools()).tools).toHaveLength(4);
      await client.close();
    } finally {
      await stop(child);
    }
  });
});
