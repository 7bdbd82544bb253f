import { readFileSync } from 'node:fs';
import { Args } from '@oclif/core';
import { HeadroomCommand, proxyFlags } from '../../command.js';
import { UsageError } from '../../errors.js';
import { createHeadroom } from '../../headroom.js';
import { fromJsonl, importMemories } from '../../memory/jsonl.js';

export default class MemoryImportCommand extends HeadroomCommand {
  static override summary = 'Merge memories from a JSON Lines file (as `memory export` writes it).';
  static override description =
    'A memory that is already kept (the same words, or nearly) is merged into it: its confirmations and agents are ' +
    'added. Others are kept with their own provenance. `-` reads standard input.';
  static override examples = [
    '<%= config.bin %> memory import memories.jsonl',
    'ssh laptop headroom memory export | <%= config.bin %> memory import -',
  ];
  static override enableJsonFlag = true;
  static override args = {
    file: Args.string({ description: 'JSONL file, or - for standard input', required: true }),
  };
  static override flags = { 'cache-dir': proxyFlags['cache-dir'] };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(MemoryImportCommand);
    let text: string;
    try {
      text = readFileSync(args.file === '-' ? 0 : args.file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${args.file}: ${(error as Error).message}`);
    }
    const memories = fromJsonl(text, args.file === '-' ? 'stdin' : args.file);
    const { config } = this.resolve({ cacheDir: flags['cache-dir'] });
    const headroom = await createHeadroom(config);
    const counts = await headroom
      .memories()
      .then((into) => importMemories(into, memories))
      .finally(() => headroom.close());
    if (!this.jsonEnabled()) {
      const merged = counts.duplicate + counts['near-duplicate'];
      this.log(
        `imported ${memories.length} memories: ${counts.saved} new, ${merged} merged into ones already kept`,
      );
    }
    return counts;
  }
}
