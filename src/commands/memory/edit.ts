import { Args } from '@oclif/core';
import { HeadroomCommand, proxyFlags } from '../../command.js';
import { HeadroomError, UsageError } from '../../errors.js';
import { createHeadroom } from '../../headroom.js';

export default class MemoryEditCommand extends HeadroomCommand {
  static override summary = 'Replace the text of a memory, keeping its id and provenance.';
  static override examples = [
    '<%= config.bin %> memory edit m_4acd92030425 "The staging database listens on port 5433."',
  ];
  static override enableJsonFlag = true;
  static override args = {
    id: Args.string({ description: 'Memory id (m_ + 12 hex digits)', required: true }),
    text: Args.string({ description: 'The new text', required: true }),
  };
  static override flags = { 'cache-dir': proxyFlags['cache-dir'] };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(MemoryEditCommand);
    if (!args.text.trim())
      throw new UsageError('the new text is empty (to forget a memory: headroom memory delete <id>)');
    const { config } = this.resolve({ cacheDir: flags['cache-dir'] });
    const headroom = await createHeadroom(config);
    const updated = await headroom
      .memories()
      .then((memories) => memories.update(args.id, args.text, null))
      .finally(() => headroom.close());
    if (!updated) throw new HeadroomError(`no memory ${args.id} (see \`headroom memory list --scope all\`)`);
    if (!this.jsonEnabled()) this.log(`updated ${updated.id}`);
    return updated;
  }
}
