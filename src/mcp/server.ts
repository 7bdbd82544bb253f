// The MCP server: headroom's tools over stdio (an agent starts `headroom mcp serve` itself) or over
// Streamable HTTP (one server for several clients). HTTP binds loopback unless told otherwise, answers
// only requests addressed to loopback there, and off loopback refuses to start without HEADROOM_API_KEY,
// which every request must then carry (x-headroom-key, or Authorization: Bearer).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { type Config, isLoopbackHost } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Headroom } from '../headroom.js';
import { hostOf, keyMatches, listen } from '../listen.js';
import { registerTools } from './tools.js';
import { McpUsage } from './usage.js';

/** The path the HTTP transport serves. */
export const MCP_PATH = '/mcp';

export interface McpServeOptions {
  /** The project root `headroom_read` reads under (the directory the server was started in). */
  root: string;
  /** The version the server reports to clients. */
  version: string;
}

const INSTRUCTIONS =
  'headroom keeps long tool outputs small. Use headroom_read for large files and headroom_compress for long ' +
  'command outputs; when a [headroom: ...; headroom_retrieve id=hr_...] marker hides what you need, call ' +
  'headroom_retrieve with that id. headroom_stats says what was saved.';

/** Serves MCP sessions over the parts of one composition root. */
export class HeadroomMcp {
  private readonly usage: McpUsage;

  private constructor(
    private readonly headroom: Headroom,
    private readonly options: McpServeOptions,
    stats: Awaited<ReturnType<Headroom['stats']>>,
  ) {
    this.usage = new McpUsage(stats, options.root);
  }

  static async open(headroom: Headroom, options: McpServeOptions): Promise<HeadroomMcp> {
    return new HeadroomMcp(headroom, options, await headroom.stats());
  }

  /** A server with the four tools, for one transport. */
  server(): McpServer {
    const server = new McpServer(
      { name: 'headroom', version: this.options.version },
      { instructions: INSTRUCTIONS },
    );
    const { headroom } = this;
    registerTools(server, {
      engine: () => headroom.engine(),
      originals: () => headroom.originals(),
      stats: (options) => headroom.stats(options),
      usage: this.usage,
      scope: { root: this.options.root, allowed: headroom.config.mcpReadPaths },
    });
    return server;
  }

  /** Serve one client on standard input and output until it closes them. */
  async serveStdio(): Promise<void> {
    const server = this.server();
    const closed = new Promise<void>((resolve) => {
      server.server.onclose = () => resolve();
    });
    const transport = new StdioServerTransport();
    // The client closing its end of the pipe is the end of the session.
    process.stdin.once('end', () => void transport.close());
    await server.connect(transport);
    await closed;
  }

  /** Listen for Streamable HTTP clients; resolves with the URL once listening. */
  async serveHttp(config: Config): Promise<RunningMcpHttp> {
    if (!isLoopbackHost(config.host) && !config.apiKey) {
      throw new ConfigError(
        `refusing to listen on ${config.host} without a key: set HEADROOM_API_KEY (clients then send it as Authorization: Bearer <key> or x-headroom-key), or bind 127.0.0.1`,
      );
    }
    const expectedKey = config.apiKey ? Buffer.from(config.apiKey) : undefined;
    const loopbackOnly = isLoopbackHost(config.host);
    const refusalOf = (req: IncomingMessage): { status: number; message: string } | undefined => {
      const host = req.headers.host;
      if (loopbackOnly && host !== undefined && !isLoopbackHost(hostOf(host))) {
        return { status: 403, message: `refusing a request addressed to "${hostOf(host)}"` };
      }
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== MCP_PATH) {
        return { status: 404, message: `the MCP endpoint is ${MCP_PATH}` };
      }
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const key = req.headers['x-headroom-key'] ?? bearer;
      if (expectedKey && !keyMatches(expectedKey, key)) {
        return {
          status: 401,
          message: 'this server needs its key (the HEADROOM_API_KEY it was started with)',
        };
      }
      return undefined;
    };
    // Stateless: each request gets a server and a transport of its own, so no session outlives a request
    // and any number of clients share the one store.
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const refusal = refusalOf(req);
      if (refusal) {
        res.writeHead(refusal.status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32000, message: `headroom: ${refusal.message}` },
            id: null,
          }),
        );
        return;
      }
      const server = this.server();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res);
    };
    // Clients keep a connection between calls: held as long as the proxy holds its clients', not Node's 5 s.
    const http = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32603, message: 'headroom: internal error' },
            id: null,
          }),
        );
      });
    });
    const address = await listen(http, config.host, config.mcpPort);
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      url: `http://${shown}:${address.port}${MCP_PATH}`,
      port: address.port,
      close: () =>
        new Promise<void>((resolve) => {
          http.closeAllConnections();
          http.close(() => resolve());
        }),
    };
  }
}

export interface RunningMcpHttp {
  url: string;
  port: number;
  close(): Promise<void>;
}
