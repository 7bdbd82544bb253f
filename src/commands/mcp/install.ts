import { Flags } from '@oclif/core';
import { HeadroomCommand } from '../../command.js';
import { thisServerCommand } from '../../mcp/install/agents.js';
import { chosenAgents, describeChange, install } from '../../mcp/install/install.js';

export const agentFlags = {
  agent: Flags.string({
    description: 'Only this agent (repeat for several): claude, codex, gemini, cursor, opencode or all',
    multiple: true,
    default: [],
  }),
  scope: Flags.string({
    description: "user (the agent's own config) or project (the project's config file, here)",
    options: ['user', 'project'],
    default: 'user',
  }),
};

export default class McpInstallCommand extends HeadroomCommand {
  static override summary = 'Register the headroom MCP server with your agents.';
  static override description =
    'Adds a `headroom` server that runs `headroom mcp serve` to each agent found on this machine (its CLI on ' +
    'the PATH or its config directory present), or to those named: Claude Code (`claude mcp add` when claude is ' +
    'on the PATH, else ~/.claude.json, or ' +
    '$CLAUDE_CONFIG_DIR/.claude.json; .mcp.json with --scope project), Codex ($CODEX_HOME/config.toml), Gemini ' +
    'CLI (~/.gemini/settings.json), Cursor (~/.cursor/mcp.json) and OpenCode (~/.config/opencode/opencode.json). ' +
    "Only headroom's entry changes: other servers, settings, comments and formatting stay, a backup of the file " +
    'is left beside it first, and a file that does not parse is left alone. Running it again changes nothing.';
  static override examples = [
    '<%= config.bin %> mcp install',
    '<%= config.bin %> mcp install --agent claude --agent codex',
    '<%= config.bin %> mcp install --agent cursor --scope project',
    '<%= config.bin %> mcp install --agent all --dry-run',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...agentFlags,
    'dry-run': Flags.boolean({ description: 'Print what would change and write nothing' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(McpInstallCommand);
    const options = {
      scope: flags.scope as 'user' | 'project',
      env: process.env,
      project: process.cwd(),
      dryRun: flags['dry-run'],
    };
    const agents = chosenAgents(flags.agent, process.env);
    if (agents.length === 0) this.log('no agent found on this machine (name one with --agent)');
    const server = thisServerCommand();
    const changes = [];
    for (const agent of agents) {
      const changed = await install(agent, server, options);
      if (!this.jsonEnabled()) this.log(describeChange(changed, options.dryRun));
      changes.push(changed);
    }
    return { server, changes };
  }
}
