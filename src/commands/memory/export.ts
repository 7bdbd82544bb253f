import { HeadroomCommand, memoryScopeFlags } from '../../command.js';
import { createHeadroom } from '../../headroom.js';
import { toJsonl } from '../../memory/jsonl.js';
import { commandScope } from '../../memory/scope.js';

export default class MemoryExportCommand extends HeadroomCommand {
  static override summary = 'Write memories as JSON Lines, one memory with its provenance per line.';
  static override description =
    'Every scope unless --scope says otherwise. `headroom memory import` reads the file back on this or another machine.';
  static override examples = [
    '<%= config.bin %> memory export > memories.jsonl',
    '<%= config.bin %> memory export --scope project --project ~/src/api > api.jsonl',
  ];
  static override flags = memoryScopeFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(MemoryExportCommand);
    const { config } = this.resolve({ cacheDir: flags['cache-dir'] });
    const scope = commandScope(flags.scope ?? 'all', config.memoryScope, flags.project);
    const headroom = await createHeadroom(config);
    const listed = await headroom
      .memories()
      .then((memories) => memories.list({ scope }))
      .finally(() => headroom.close());
    process.stdout.write(toJsonl(listed));
  }
}
