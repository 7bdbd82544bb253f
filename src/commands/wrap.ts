import { Args, Flags } from '@oclif/core';
import type { AgentAdapter } from '../agents/adapter.js';
import { splitWrapArgv } from '../agents/argv.js';
import { AGENTS, findAgent } from '../agents/index.js';
import { summaryLines } from '../agents/summary.js';
import { exitLike } from '../agents/supervisor.js';
import { wrapAgent } from '../agents/wrap.js';
import {
  copilotEndpointFlags,
  copilotFlagsToConfig,
  HeadroomCommand,
  proxyFlags,
  proxyFlagsToConfig,
} from '../command.js';
import { UsageError } from '../errors.js';

/** The agent's subscription variant, for `--subscription`; a usage error for an agent that has none. */
function subscriptionOf(agent: AgentAdapter): AgentAdapter {
  if (agent.subscription) return agent.subscription;
  const offered = AGENTS.filter((a) => a.subscription).map((a) => a.name);
  throw new UsageError(
    `${agent.name} has no subscription mode in headroom (--subscription is for ${offered.join(', ')})`,
  );
}

export default class WrapCommand extends HeadroomCommand {
  static override summary = 'Run a coding agent with its model traffic going through headroom.';
  static override description =
    'Starts a proxy on a free loopback port, runs the agent with its base URL pointed there (API keys and ' +
    'logins pass through untouched), stays silent while the agent owns the terminal, and prints what the ' +
    'session saved when it exits. headroom exits with the agent’s exit code. A base URL you already set ' +
    '(e.g. ANTHROPIC_BASE_URL for a gateway) becomes the upstream. Agent arguments go after `--`.\n\n' +
    `Agents: ${AGENTS.map((a) => a.name).join(', ')}.`;
  static override examples = [
    '<%= config.bin %> wrap claude',
    '<%= config.bin %> wrap claude -- -p "fix the failing tests"',
    '<%= config.bin %> wrap codex -- exec "summarize this repo"',
    '<%= config.bin %> wrap --no-compress aider -- --model sonnet',
    '<%= config.bin %> wrap claude --proxy-url http://127.0.0.1:8787',
    '<%= config.bin %> wrap codex --memory',
    '<%= config.bin %> wrap claude --exclude-tools Read --min-tokens 800',
    '<%= config.bin %> wrap copilot --subscription -- -p "explain this repo"',
  ];
  static override strict = false;
  static override handlesSignals = true;
  static override args = {
    agent: Args.string({
      description: `Agent to run (${AGENTS.map((a) => a.name).join(', ')})`,
      required: true,
      // The agent reads standard input, not headroom.
      ignoreStdin: true,
    }),
  };
  static override flags = {
    ...proxyFlags,
    port: Flags.integer({
      char: 'p',
      description: 'Port for the session proxy (default: a free one)',
    }),
    subscription: Flags.boolean({
      description:
        'Carry the agent’s own subscription through headroom, which signs in for it (copilot: after `headroom copilot-auth login`) [env: HEADROOM_COPILOT_SUBSCRIPTION]',
    }),
    ...copilotEndpointFlags,
    'proxy-url': Flags.string({
      description:
        'Use this running `headroom proxy` instead of starting one (e.g. http://127.0.0.1:8787); if it wants a key, the agent sends it your HEADROOM_API_KEY',
    }),
  };

  async run(): Promise<void> {
    const shapes = Object.fromEntries(
      Object.entries(WrapCommand.flags).map(([name, f]) => [
        name,
        { char: f.char, takesValue: f.type === 'option', allowNo: 'allowNo' in f && f.allowNo === true },
      ]),
    );
    const { own, agentArgs } = splitWrapArgv(this.argv, shapes);
    const { args, flags } = await this.parse(WrapCommand, own).catch((error: Error) => {
      throw new UsageError(
        `${error.message.split('\n')[0]} (agent arguments go after --: headroom wrap claude -- -p "…")`,
      );
    });
    const named = findAgent(args.agent);
    const resolved = this.resolve({
      ...proxyFlagsToConfig(flags),
      ...copilotFlagsToConfig(flags),
      copilotSubscription: flags.subscription ? true : undefined,
    });
    // The setting (env, config file) switches an agent that has a subscription mode; the flag insists on one.
    const agent = flags.subscription
      ? subscriptionOf(named)
      : resolved.config.copilotSubscription
        ? (named.subscription ?? named)
        : named;
    const result = await wrapAgent({ agent, args: agentArgs, resolved, proxyUrl: flags['proxy-url'] });
    for (const line of summaryLines({ agent: agent.name, ...result })) {
      process.stderr.write(`${line}\n`);
    }
    await exitLike(result.exit);
  }
}
