import { Args, Flags } from '@oclif/core';
import { HeadroomCommand, memoryScopeFlags } from '../../command.js';
import { createHeadroom } from '../../headroom.js';
import { warningLogger } from '../../log.js';
import { commandScope } from '../../memory/scope.js';
import { memoryLine } from '../../memory/tools.js';

export default class MemorySearchCommand extends HeadroomCommand {
  static override summary = 'Search the memories by words (BM25), and by meaning with an embedding model.';
  static override description =
    'The same search the proxy runs for memory_search and for the memories it adds to a user turn: any of ' +
    'the words, stemmed, ranked by BM25; with HEADROOM_MEMORY_EMBEDDINGS set, fused with the memories ' +
    'closest in meaning.';
  static override examples = [
    '<%= config.bin %> memory search "staging database port"',
    '<%= config.bin %> memory search deploy --scope all --json',
  ];
  static override enableJsonFlag = true;
  static override args = { query: Args.string({ description: 'Words to look for', required: true }) };
  static override flags = {
    ...memoryScopeFlags,
    limit: Flags.integer({ description: 'Most memories to show', default: 10, min: 1 }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(MemorySearchCommand);
    const { config } = this.resolve({ cacheDir: flags['cache-dir'] });
    const scope = commandScope(flags.scope, config.memoryScope, flags.project);
    // A model that will not load is one line on stderr; the search still answers, by words.
    const headroom = await createHeadroom(config, { logger: warningLogger });
    const hits = await headroom
      .memories()
      .then((memories) => memories.search(args.query, { scope, limit: flags.limit }))
      .finally(() => headroom.close());
    if (!this.jsonEnabled()) {
      if (!hits.length) process.stderr.write(`no memories match "${args.query}"\n`);
      for (const hit of hits) this.log(memoryLine(hit));
    }
    return hits;
  }
}
