import { readFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { HeadroomCommand, proxyFlags } from '../command.js';
import { compressTextOnThread } from '../compress/engine-thread.js';
import type { Kind } from '../compress/types.js';
import { HeadroomError } from '../errors.js';
import { createHeadroom, engineOptionsFor } from '../headroom.js';

const KINDS = ['auto', 'json', 'logs', 'search', 'diff', 'html', 'text'] as const;

export default class CompressCommand extends HeadroomCommand {
  static override summary = 'Compress a file or standard input the way headroom compresses tool outputs.';
  static override description =
    'Prints what the model would see: the kept content followed by a marker line naming what was dropped and ' +
    'the id of the original, which is saved in the local store so `headroom retrieve <id>` gives it back. ' +
    'A summary (kind, transform, tokens before and after) goes to stderr; --json prints it with the text instead. ' +
    'The query plays the part of the user request: lines and items that match it are kept first.';
  static override examples = [
    '<%= config.bin %> compress build.log',
    '<%= config.bin %> compress build.log --query "why does the linker fail"',
    'kubectl logs deploy/api | <%= config.bin %> compress --kind logs',
    'gh api repos/cli/cli/issues | <%= config.bin %> compress - --query "open bugs about auth"',
    '<%= config.bin %> compress response.json --json',
    'HEADROOM_KOMPRESS_MODEL=~/models/llmlingua-2 <%= config.bin %> compress issue-thread.md --target-ratio 0.4',
  ];
  static override enableJsonFlag = true;
  static override args = {
    file: Args.string({
      description: 'File to compress; - or nothing reads standard input',
      ignoreStdin: true,
    }),
  };
  static override flags = {
    query: Flags.string({ char: 'q', description: 'What you are looking for (ranks what is kept)' }),
    kind: Flags.string({
      char: 'k',
      description: 'Treat the input as this kind instead of detecting it',
      options: [...KINDS],
      default: 'auto',
    }),
    'disable-transforms': proxyFlags['disable-transforms'],
    'cache-dir': proxyFlags['cache-dir'],
    'kompress-model': Flags.string({
      description:
        'Kompress/LLMLingua-2 ONNX model: a directory with model.onnx and tokenizer.json [env: HEADROOM_KOMPRESS_MODEL]',
    }),
    'target-ratio': Flags.string({
      description:
        'Fraction of the words of prose the kompress model keeps, the best scored (default: those it scores 0.5 or more) [env: HEADROOM_KOMPRESS_TARGET_RATIO]',
    }),
    verbose: Flags.boolean({ char: 'v', description: 'Say which transforms could not run, and why' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(CompressCommand);
    const { config } = this.resolve({
      cacheDir: flags['cache-dir'],
      disableTransforms: flags['disable-transforms']?.split(',').map((s) => s.trim()),
      kompressModel: flags['kompress-model'],
      // Checked as the setting is, from the text given: `--target-ratio 2` says what it must be.
      kompressTargetRatio: flags['target-ratio'] as unknown as number | undefined,
    });
    const input = await readInput(args.file);
    // The engine works on a thread of its own: however long the input takes, this one still hears Ctrl-C.
    const [result, headroom] = await Promise.all([
      compressTextOnThread(engineOptionsFor(config), input, {
        query: flags.query,
        kind: flags.kind as Kind | 'auto',
      }),
      createHeadroom(config),
    ]);
    try {
      const originals = await headroom.originals();
      // Text whose marker names an original the store could not keep would lose what it cut.
      const kept = result.originalId
        ? originals.persistent && (await originals.putMany([{ id: result.originalId, text: input }]))
        : true;
      if (!kept) {
        throw new HeadroomError(
          `cannot keep the original in ${originals.location} (is the disk full?); nothing printed, since the compressed text would point at nothing`,
        );
      }
    } finally {
      await headroom.close();
    }
    for (const notice of result.notices) {
      if (notice.level === 'warn' || flags.verbose) process.stderr.write(`headroom: ${notice.message}\n`);
    }
    const summary = {
      kind: result.kind,
      transform: result.transform ?? null,
      tokensBefore: result.tokensBefore,
      tokensAfter: result.tokensAfter,
      saved: result.tokensBefore === 0 ? 0 : 1 - result.tokensAfter / result.tokensBefore,
      originalId: result.originalId ?? null,
      skipped: result.skipped ?? null,
    };
    if (!this.jsonEnabled()) {
      process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
      const how = result.transform ? `${result.transform} transform` : `unchanged (${result.skipped})`;
      process.stderr.write(
        `headroom: ${result.kind}, ${how}: ${result.tokensBefore} → ${result.tokensAfter} tokens (${(100 * summary.saved).toFixed(1)}% saved)\n`,
      );
    }
    return { ...summary, text: result.text };
  }
}

async function readInput(file: string | undefined): Promise<string> {
  if (file === undefined || file === '-') {
    if (file === undefined && process.stdin.isTTY) {
      throw new HeadroomError('nothing to compress: name a FILE or pipe text into standard input');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new HeadroomError(`cannot read ${file}: ${reason}`);
  }
}
