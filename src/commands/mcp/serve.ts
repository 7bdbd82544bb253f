import { Flags } from '@oclif/core';
import { HeadroomCommand, proxyFlags } from '../../command.js';
import { createHeadroom } from '../../headroom.js';
import { createLogger, type LogLevel } from '../../log.js';
import { HeadroomMcp } from '../../mcp/server.js';

export default class McpServeCommand extends HeadroomCommand {
  static override summary = 'Serve headroom as MCP tools: compress, read, retrieve, stats.';
  static override description =
    'For agents that do not send their traffic through the proxy. Over stdio (the default) the agent starts ' +
    'this command itself; `headroom mcp install` registers it that way. --transport http serves Streamable ' +
    'HTTP at http://127.0.0.1:8788/mcp instead; a non-loopback --host needs HEADROOM_API_KEY, which clients ' +
    "then send as `Authorization: Bearer <key>` or x-headroom-key. The tools share the proxy's store, so an id " +
    'from either resolves in both, and each call is counted by `headroom stats` under the agent "mcp". ' +
    'headroom_read reads files under the directory the server starts in (and HEADROOM_MCP_READ_PATHS).';
  static override examples = [
    '<%= config.bin %> mcp serve',
    '<%= config.bin %> mcp serve --transport http',
    '<%= config.bin %> mcp serve --transport http --port 0',
    'HEADROOM_API_KEY=change-me <%= config.bin %> mcp serve --transport http --host 0.0.0.0',
  ];
  static override flags = {
    transport: Flags.string({
      description: 'stdio (an agent starts the server) or http (Streamable HTTP on --port)',
      options: ['stdio', 'http'],
      default: 'stdio',
    }),
    port: Flags.integer({
      char: 'p',
      description: 'Port for --transport http (0 picks a free one) [env: HEADROOM_MCP_PORT]',
    }),
    host: proxyFlags.host,
    'cache-dir': proxyFlags['cache-dir'],
    verbose: proxyFlags.verbose,
  };
  static override handlesSignals = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(McpServeCommand);
    const { config } = this.resolve({
      mcpPort: flags.port,
      host: flags.host,
      cacheDir: flags['cache-dir'],
      logLevel: flags.verbose ? 'debug' : undefined,
    });
    // Standard output is the protocol's channel over stdio: everything else goes to stderr.
    const logger = createLogger({ level: config.logLevel as LogLevel });
    const headroom = await createHeadroom(config, { logger });
    const mcp = await HeadroomMcp.open(headroom, { root: process.cwd(), version: this.config.version });
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, resolve);
    });
    if (flags.transport === 'http') {
      const running = await mcp.serveHttp(config);
      process.stderr.write(`headroom MCP server listening on ${running.url}\n`);
      await stopped;
      await running.close();
    } else {
      await Promise.race([mcp.serveStdio(), stopped]);
    }
    // The calls' rows are written before the process goes.
    await headroom.close();
  }
}
