import { Flags } from '@oclif/core';
import { HeadroomCommand, memoryScopeFlags } from '../../command.js';
import { createHeadroom } from '../../headroom.js';
import { commandScope } from '../../memory/scope.js';
import { memoryLine } from '../../memory/tools.js';

export default class MemoryListCommand extends HeadroomCommand {
  static override summary = 'List the memories agents saved, newest first.';
  static override description =
    'Memories are saved by agents run with --memory (the model calls memory_save) or imported. Each line: ' +
    'its id, its text, which agents saved it and how often it was confirmed.';
  static override examples = [
    '<%= config.bin %> memory list',
    '<%= config.bin %> memory list --scope all --limit 50',
    '<%= config.bin %> memory list --project ~/src/api --json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...memoryScopeFlags,
    limit: Flags.integer({ description: 'Most memories to list', default: 100, min: 1 }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(MemoryListCommand);
    const { config } = this.resolve({ cacheDir: flags['cache-dir'] });
    const scope = commandScope(flags.scope, config.memoryScope, flags.project);
    const headroom = await createHeadroom(config);
    const listed = await headroom
      .memories()
      .then((memories) => memories.list({ scope, limit: flags.limit }))
      .finally(() => headroom.close());
    if (!this.jsonEnabled()) {
      if (!listed.length) process.stderr.write(`no memories${scope ? ` in ${scope}` : ''}\n`);
      for (const memory of listed) this.log(memoryLine(memory));
    }
    return listed;
  }
}
