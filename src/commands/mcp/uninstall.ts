import { Flags } from '@oclif/core';
import { HeadroomCommand } from '../../command.js';
import { chosenAgents, describeChange, uninstall } from '../../mcp/install/install.js';
import { agentFlags } from './install.js';

export default class McpUninstallCommand extends HeadroomCommand {
  static override summary = 'Remove the headroom MCP server from your agents.';
  static override description =
    'Removes the `headroom` server entry `headroom mcp install` added, from each agent found (or those named), ' +
    'leaving every other server and setting as it was and a backup of the file beside it.';
  static override examples = [
    '<%= config.bin %> mcp uninstall',
    '<%= config.bin %> mcp uninstall --agent codex',
    '<%= config.bin %> mcp uninstall --agent all --scope project --dry-run',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...agentFlags,
    'dry-run': Flags.boolean({ description: 'Print what would change and write nothing' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(McpUninstallCommand);
    const options = {
      scope: flags.scope as 'user' | 'project',
      env: process.env,
      project: process.cwd(),
      dryRun: flags['dry-run'],
    };
    const changes = [];
    for (const agent of chosenAgents(flags.agent, process.env)) {
      const changed = await uninstall(agent, options);
      if (!this.jsonEnabled()) this.log(describeChange(changed, options.dryRun));
      changes.push(changed);
    }
    return { changes };
  }
}
