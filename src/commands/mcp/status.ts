import { HeadroomCommand } from '../../command.js';
import { REGISTRATIONS } from '../../mcp/install/agents.js';
import { chosenAgents, status } from '../../mcp/install/install.js';
import { agentFlags } from './install.js';

export default class McpStatusCommand extends HeadroomCommand {
  static override summary = 'Show which agents have the headroom MCP server, and the command it starts.';
  static override description =
    'For every agent headroom can register with (or those named): whether it is on this machine, the config ' +
    'file it reads its MCP servers from, and whether headroom is registered there, pointing at which program.';
  static override examples = [
    '<%= config.bin %> mcp status',
    '<%= config.bin %> mcp status --scope project',
    '<%= config.bin %> mcp status --agent codex --json',
  ];
  static override enableJsonFlag = true;
  static override flags = agentFlags;

  async run(): Promise<unknown> {
    const { flags } = await this.parse(McpStatusCommand);
    const options = { scope: flags.scope as 'user' | 'project', env: process.env, project: process.cwd() };
    const agents = flags.agent.length ? chosenAgents(flags.agent, process.env) : REGISTRATIONS;
    const statuses = [];
    for (const agent of agents) {
      const found = await status(agent, options);
      statuses.push(found);
      if (this.jsonEnabled()) continue;
      const where = found.registered
        ? `registered in ${found.file}: ${found.command?.join(' ') ?? '(no command)'}`
        : found.problem
          ? found.problem
          : `not registered${found.file ? ` (${found.file})` : ''}`;
      this.log(`${found.label}${found.present ? '' : ' (not found on this machine)'}: ${where}`);
    }
    return { agents: statuses };
  }
}
