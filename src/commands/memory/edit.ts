import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Args } from '@oclif/core';
import { execa } from 'execa';
import { HeadroomCommand, proxyFlags } from '../../command.js';
import { HeadroomError, MemoryNotFoundError, UsageError } from '../../errors.js';
import { createHeadroom } from '../../headroom.js';

export default class MemoryEditCommand extends HeadroomCommand {
  static override summary = 'Replace the text of a memory, keeping its id and provenance.';
  static override description =
    'Without a new text, opens the memory in $VISUAL or $EDITOR (vi when neither is set) and saves what you leave there.';
  static override examples = [
    '<%= config.bin %> memory edit m_4acd92030425 "The staging database listens on port 5433."',
    'EDITOR=nano <%= config.bin %> memory edit m_4acd92030425',
  ];
  static override enableJsonFlag = true;
  static override args = {
    id: Args.string({ description: 'Memory id (m_ + 12 hex digits)', required: true }),
    text: Args.string({ description: 'The new text (omit it to edit the memory in your editor)' }),
  };
  static override flags = { 'cache-dir': proxyFlags['cache-dir'] };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(MemoryEditCommand);
    if (args.text !== undefined && !args.text.trim())
      throw new UsageError('the new text is empty (to forget a memory: headroom memory delete <id>)');
    const { config } = this.resolve({ cacheDir: flags['cache-dir'] });
    const headroom = await createHeadroom(config);
    try {
      const memories = await headroom.memories();
      const memory = await memories.get(args.id);
      if (!memory) throw new MemoryNotFoundError(args.id);
      const text = args.text ?? (await editInEditor(memory.text));
      if (text === memory.text) {
        if (!this.jsonEnabled()) this.log(`unchanged ${memory.id}`);
        return memory;
      }
      const updated = await memories.update(args.id, text, null);
      if (!updated) throw new MemoryNotFoundError(args.id);
      if (!this.jsonEnabled()) this.log(`updated ${updated.id}`);
      return updated;
    } finally {
      await headroom.close();
    }
  }
}

/**
 * The text the user leaves in their editor, started on a private copy of `text` as git starts it
 * (`$VISUAL`, else `$EDITOR`, run by the shell so `code --wait` works); the copy is removed afterwards.
 */
async function editInEditor(text: string): Promise<string> {
  const editor = process.env.VISUAL?.trim() || process.env.EDITOR?.trim() || 'vi';
  const dir = mkdtempSync(join(tmpdir(), 'headroom-memory-'));
  const file = join(dir, 'memory.txt');
  try {
    writeFileSync(file, `${text}\n`, { mode: 0o600 });
    const run = await execa('sh', ['-c', `${editor} "$1"`, 'editor', file], {
      stdio: 'inherit',
      reject: false,
    });
    if (run.failed || run.exitCode !== 0)
      throw new HeadroomError(
        `the editor (${editor}) ${run.exitCode === undefined ? 'could not run' : `exited with ${run.exitCode}`}; the memory is unchanged`,
      );
    const edited = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    if (!edited.trim())
      throw new UsageError('the new text is empty (to forget a memory: headroom memory delete <id>)');
    return edited;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
