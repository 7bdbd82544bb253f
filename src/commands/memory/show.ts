import { Args } from '@oclif/core';
import { HeadroomCommand, proxyFlags } from '../../command.js';
import { MemoryNotFoundError } from '../../errors.js';
import { createHeadroom } from '../../headroom.js';

export default class MemoryShowCommand extends HeadroomCommand {
  static override summary = 'Show one memory with its provenance.';
  static override description =
    'Its text, scope, the agents that saved it, when, and how often it was confirmed.';
  static override examples = [
    '<%= config.bin %> memory show m_4acd92030425',
    '<%= config.bin %> memory show m_4acd92030425 --json',
  ];
  static override enableJsonFlag = true;
  static override args = {
    id: Args.string({ description: 'Memory id (m_ + 12 hex digits)', required: true }),
  };
  static override flags = { 'cache-dir': proxyFlags['cache-dir'] };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(MemoryShowCommand);
    const { config } = this.resolve({ cacheDir: flags['cache-dir'] });
    const headroom = await createHeadroom(config);
    const memory = await headroom
      .memories()
      .then((memories) => memories.get(args.id))
      .finally(() => headroom.close());
    if (!memory) throw new MemoryNotFoundError(args.id);
    if (!this.jsonEnabled()) {
      const when = (ts: number) => new Date(ts).toISOString();
      this.log(memory.text);
      this.log(`id:            ${memory.id}`);
      this.log(`scope:         ${memory.scope}`);
      this.log(`saved by:      ${memory.agents.join(', ') || 'unknown'}`);
      this.log(`saved:         ${when(memory.createdTs)}`);
      this.log(`updated:       ${when(memory.updatedTs)}`);
      this.log(`confirmations: ${memory.confirmations}`);
    }
    return memory;
  }
}
