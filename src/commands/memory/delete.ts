import { Args } from '@oclif/core';
import { HeadroomCommand, proxyFlags } from '../../command.js';
import { MemoryNotFoundError } from '../../errors.js';
import { createHeadroom } from '../../headroom.js';

export default class MemoryDeleteCommand extends HeadroomCommand {
  static override summary = 'Forget a memory.';
  static override examples = ['<%= config.bin %> memory delete m_4acd92030425'];
  static override enableJsonFlag = true;
  static override args = {
    id: Args.string({ description: 'Memory id (m_ + 12 hex digits)', required: true }),
  };
  static override flags = { 'cache-dir': proxyFlags['cache-dir'] };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(MemoryDeleteCommand);
    const { config } = this.resolve({ cacheDir: flags['cache-dir'] });
    const headroom = await createHeadroom(config);
    const deleted = await headroom
      .memories()
      .then((memories) => memories.delete(args.id))
      .finally(() => headroom.close());
    if (!deleted) throw new MemoryNotFoundError(args.id);
    if (!this.jsonEnabled()) this.log(`deleted ${args.id}`);
    return { deleted: args.id };
  }
}
