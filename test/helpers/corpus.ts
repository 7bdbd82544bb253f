// Reads the shared corpus of real tool outputs in place (never copied into the repository) when it is there:
// `$HEADROOM_CORPUS`, or `../shared/corpus` beside the repository. Tests that need it are skipped without it.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export interface CorpusItem {
  name: string;
  category: string;
  text: string;
  question: string;
  needles: string[];
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const CORPUS_DIR = process.env.HEADROOM_CORPUS
  ? resolve(process.env.HEADROOM_CORPUS)
  : resolve(repoRoot, '../shared/corpus');

/** Whether the corpus is there to read: its directory holds at least one item with a sidecar. */
export const corpusAvailable =
  existsSync(CORPUS_DIR) && readdirSync(CORPUS_DIR).some((f) => f.endsWith('.meta.json'));

/** What a skipped corpus test says it is missing. */
export const NEEDS_CORPUS = 'needs the shared corpus (../shared/corpus or HEADROOM_CORPUS)';

/** A test or suite name that says, when the corpus is absent, why it was skipped. */
export function corpusTestName(name: string): string {
  return corpusAvailable ? name : `${name} — ${NEEDS_CORPUS}`;
}

/** A suite that runs only with the corpus, and is reported as skipped, saying why, without it. */
export function describeWithCorpus(name: string, body: () => void): void {
  describe.skipIf(!corpusAvailable)(corpusTestName(name), body);
}

/** A test that runs only with the corpus, and is reported as skipped, saying why, without it. */
export function itWithCorpus(name: string, body: () => unknown, timeout?: number): void {
  it.skipIf(!corpusAvailable)(corpusTestName(name), body, timeout);
}

let cache: CorpusItem[] | undefined;

/** Every corpus item, sorted by name; none when the corpus is absent. */
export function corpusItems(): CorpusItem[] {
  if (!corpusAvailable) return [];
  cache ??= readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.meta.json'))
    .sort()
    .map((meta) => {
      const name = meta.slice(0, -'.meta.json'.length);
      const info = JSON.parse(readFileSync(join(CORPUS_DIR, meta), 'utf8')) as {
        category: string;
        question: string;
        needles: string[];
      };
      return {
        name,
        category: info.category,
        question: info.question,
        needles: info.needles,
        text: readFileSync(join(CORPUS_DIR, name), 'utf8'),
      };
    });
  return cache;
}

/** One corpus item by file name; call it inside a corpus-only test, since it throws without the corpus. */
export function corpusItem(name: string): CorpusItem {
  const item = corpusItems().find((i) => i.name === name);
  if (!item) throw new Error(`corpus item ${name} not found in ${CORPUS_DIR} (${NEEDS_CORPUS})`);
  return item;
}
