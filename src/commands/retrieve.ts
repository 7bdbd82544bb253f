import { Args, Flags } from '@oclif/core';
import { HeadroomCommand, proxyFlags } from '../command.js';
import { HeadroomError, UsageError } from '../errors.js';
import { createHeadroom } from '../headroom.js';
import { warningLogger } from '../log.js';
import { readOriginal } from '../retrieve/read.js';

export default class RetrieveCommand extends HeadroomCommand {
  static override summary = 'Print an original that compression shortened, by the id in its marker.';
  static override description =
    'Every block headroom shortens ends with a marker such as ' +
    '`[headroom: 940 of 1000 rows omitted; headroom_retrieve id=hr_3f9a1c2b7d10]`; the original is kept in ' +
    'the local store. This prints it byte for byte, or with --query only the lines (JSON array items) that ' +
    'contain any of the words, numbered. Exits 1 when the id is unknown or expired.';
  static override examples = [
    '<%= config.bin %> retrieve hr_3f9a1c2b7d10',
    '<%= config.bin %> retrieve hr_3f9a1c2b7d10 --query "error timeout"',
    '<%= config.bin %> retrieve hr_3f9a1c2b7d10 --query \'"connection refused"\' > failures.txt',
    '<%= config.bin %> retrieve hr_3f9a1c2b7d10 --json',
  ];
  static override enableJsonFlag = true;
  static override args = {
    id: Args.string({ description: 'Original id from a marker (hr_ + 12 hex digits)', required: true }),
  };
  static override flags = {
    query: Flags.string({
      char: 'q',
      description: 'Only print lines (or JSON items) containing any of these words or "quoted phrases"',
    }),
    'cache-dir': proxyFlags['cache-dir'],
    store: proxyFlags.store,
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(RetrieveCommand);
    const { config } = this.resolve({ cacheDir: flags['cache-dir'], store: flags.store });
    // A store problem (a corrupt file moved aside) is one line on stderr; the answer still comes.
    const headroom = await createHeadroom(config, { logger: warningLogger });
    const result = await readOriginal(await headroom.originals(), args.id, { query: flags.query }).finally(
      () => headroom.close(),
    );
    if (!result.found)
      throw result.reason === 'invalid-id'
        ? new UsageError(result.message)
        : new HeadroomError(result.message);
    if (!this.jsonEnabled()) {
      if (result.query !== undefined) {
        process.stderr.write(`${result.matched} of ${result.total} ${result.unit} match "${result.query}"\n`);
        if (result.text) process.stdout.write(`${result.text}\n`);
      } else {
        // The original exactly as stored, with no newline added, so it can be piped or diffed.
        process.stdout.write(result.text);
      }
    }
    return result;
  }
}
