import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Args, Flags } from '@oclif/core';
import { HeadroomCommand, proxyFlags } from '../command.js';
import { HeadroomError } from '../errors.js';
import { isOwnEntry } from '../private-dir.js';
import { listRunningProxies } from '../stats/runtime-files.js';
import { shownStore, storeDirectory } from '../store/index.js';

interface CachedFile {
  name: string;
  bytes: number;
}

// The agents' memories are what users asked to keep, not a cache: clearing the cache leaves them.
const isMemoryFile = (name: string) => name.startsWith('memory.db');

/** headroom's own files in `dir` (stores, their journals, copies of damaged ones), by name. */
function ownFiles(dir: string): CachedFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => isOwnEntry(name) && name !== 'run' && name !== 'config.json' && !isMemoryFile(name))
    .sort()
    .map((name) => ({ name, bytes: statSync(join(dir, name)).size }));
}

export default class CacheCommand extends HeadroomCommand {
  static override summary = 'Show or delete what headroom keeps on this machine: originals and stats.';
  static override description =
    'The store keeps every original that compression shortened (what the model may ask back for) and one stats ' +
    'row per request, in the cache directory (HEADROOM_CACHE_DIR, or the directory HEADROOM_STORE names). ' +
    '`info` lists the files and their sizes; `clear` deletes them (it asks first on a terminal; --yes without ' +
    'one) and refuses while a proxy uses them. The config file is left alone.';
  static override examples = [
    '<%= config.bin %> cache info',
    '<%= config.bin %> cache clear',
    '<%= config.bin %> cache clear --yes',
  ];
  static override enableJsonFlag = true;
  static override args = {
    action: Args.string({ description: 'What to do', options: ['info', 'clear'], default: 'info' }),
  };
  static override flags = {
    'cache-dir': proxyFlags['cache-dir'],
    yes: Flags.boolean({ char: 'y', description: 'Do not ask before clear' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(CacheCommand);
    const { config } = this.resolve({ cacheDir: flags['cache-dir'] });
    const dir = storeDirectory(config);
    if (!dir) throw new HeadroomError(`the store ${shownStore(config)} keeps no files on this machine`);
    const files = ownFiles(dir);
    const total = files.reduce((sum, file) => sum + file.bytes, 0);
    if (args.action === 'info') {
      if (!this.jsonEnabled()) {
        this.log(`${dir}: ${files.length} files, ${(total / 1e6).toFixed(1)} MB`);
        for (const file of files)
          this.log(`  ${file.name.padEnd(36)} ${(file.bytes / 1e6).toFixed(1).padStart(8)} MB`);
        this.log(
          `originals kept ${config.storeTtlDays} days after last read, at most ${(config.storeMaxBytes / 1e9).toFixed(1)} GB`,
        );
      }
      return { dir, files, bytes: total, ttlDays: config.storeTtlDays, maxBytes: config.storeMaxBytes };
    }
    const running = listRunningProxies(config.cacheDir);
    if (running.length > 0) {
      throw new HeadroomError(
        `a headroom proxy (pid ${running.map((p) => p.pid).join(', ')}) is using ${dir}: stop it before clearing the cache`,
      );
    }
    if (!flags.yes) {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        throw new HeadroomError('refusing to clear the cache without confirmation: pass --yes');
      }
      const prompt = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await prompt.question(
        `Delete ${files.length} files (${(total / 1e6).toFixed(1)} MB: every stored original and stats row) in ${dir}? [y/N] `,
      );
      prompt.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        this.log('cache kept');
        return { cleared: false, dir, files: [] };
      }
    }
    for (const file of files) rmSync(join(dir, file.name), { force: true });
    if (!this.jsonEnabled())
      this.log(`cleared ${files.length} files (${(total / 1e6).toFixed(1)} MB) from ${dir}`);
    return { cleared: true, dir, files: files.map((f) => f.name), bytes: total };
  }
}
