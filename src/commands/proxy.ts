import { Flags } from '@oclif/core';
import {
  copilotEndpointFlags,
  copilotFlagsToConfig,
  HeadroomCommand,
  proxyFlags,
  proxyFlagsToConfig,
} from '../command.js';
import { signalExitCode } from '../errors.js';
import { createLogger, type LogLevel } from '../log.js';
import { logRequestsTo } from '../proxy/request-log.js';
import { RuntimeSettings } from '../proxy/runtime-settings.js';
import { startProxy } from '../proxy/server.js';

const SHUTDOWN_GRACE_MS = 10_000;
/** How long a second signal waits for queued stats rows to be written before the process exits. */
const FLUSH_ON_EXIT_MS = 1000;

export default class ProxyCommand extends HeadroomCommand {
  static override summary = 'Run the compressing proxy that agents use as their model API.';
  static override description =
    'Listens on 127.0.0.1:8787 by default and forwards Anthropic (/v1/messages) and OpenAI (/v1/chat/completions, ' +
    '/v1/responses) requests to the real APIs, compressing tool outputs on the way. Point an agent at it with ' +
    'ANTHROPIC_BASE_URL=http://127.0.0.1:8787 or OPENAI_BASE_URL=http://127.0.0.1:8787/v1. ' +
    'GET /health, /stats and /stats/stream report on it. A non-loopback --host needs HEADROOM_API_KEY, which ' +
    'every request must then carry in the x-headroom-key header. SIGINT/SIGTERM/SIGHUP let in-flight streams finish ' +
    `(up to ${SHUTDOWN_GRACE_MS / 1000} s) before exiting.`;
  static override examples = [
    '<%= config.bin %> proxy',
    '<%= config.bin %> proxy --port 0',
    '<%= config.bin %> proxy --verbose',
    '<%= config.bin %> proxy --log-file ~/headroom-requests.jsonl',
    '<%= config.bin %> proxy --verbosity terse --effort-routing',
    '<%= config.bin %> proxy --no-compress',
    '<%= config.bin %> proxy --memory --memory-scope user',
    '<%= config.bin %> proxy --openai-upstream https://openrouter.ai/api/v1',
    'HEADROOM_API_KEY=change-me <%= config.bin %> proxy --host 0.0.0.0',
    '<%= config.bin %> proxy --copilot-subscription',
    '<%= config.bin %> proxy --port 8788 --store redis://127.0.0.1:6379/0',
  ];
  static override flags = {
    ...proxyFlags,
    'copilot-subscription': Flags.boolean({
      description:
        'Send OpenAI and Anthropic requests to the GitHub Copilot API, signed in with the login `headroom copilot-auth login` stored [env: HEADROOM_COPILOT_SUBSCRIPTION]',
    }),
    ...copilotEndpointFlags,
    'log-file': Flags.string({
      description: 'Append every request as one JSON line (its stats row) to this file',
    }),
  };
  static override handlesSignals = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(ProxyCommand);
    const { config, sources } = this.resolve({
      ...proxyFlagsToConfig(flags),
      ...copilotFlagsToConfig(flags),
      copilotSubscription: flags['copilot-subscription'] ? true : undefined,
    });
    const settings = new RuntimeSettings(config, sources);
    // The level is read from the live settings, so `HEADROOM_LOG_LEVEL` set on the running proxy takes.
    const logger = createLogger({ level: () => settings.current().config.logLevel as LogLevel });
    const proxy = await startProxy({ config, logger, settings });
    const closeLog = flags['log-file'] ? logRequestsTo(flags['log-file'], proxy.events) : undefined;
    this.log(`headroom proxy listening on ${proxy.url}`);

    await new Promise<void>((resolve) => {
      // Closing the terminal (SIGHUP) stops the proxy as Ctrl-C does, so its rows and runtime file are seen to.
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      const stop = (signal: NodeJS.Signals) => {
        // A second signal means "now": no grace period, but the rows already counted are still written.
        const now = (again: NodeJS.Signals) => {
          const exit = () => process.exit(signalExitCode(again));
          setTimeout(exit, FLUSH_ON_EXIT_MS).unref();
          proxy.store.close().then(exit, exit);
        };
        for (const s of signals) process.off(s, stop).once(s, now);
        logger.info(`headroom: ${signal} received, finishing in-flight requests`);
        proxy.close(SHUTDOWN_GRACE_MS).then(
          async () => {
            await closeLog?.();
            resolve();
          },
          (error: unknown) => {
            logger.error(`headroom: shutdown failed: ${(error as Error).message}`);
            resolve();
          },
        );
      };
      for (const s of signals) process.on(s, stop);
    });
  }
}
