// Reads the shared corpus of real tool outputs in place (never copied into the repository).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CorpusItem {
  name: string;
  category: string;
  text: string;
  question: string;
  needles: string[];
}

export const CORPUS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

let cache: CorpusItem[] | undefined;

/** Every corpus item, sorted by name. */
export function corpusItems(): CorpusItem[] {
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

/** One corpus item by file name. */
export function corpusItem(name: string): CorpusItem {
  const item = corpusItems().find((i) => i.name === name);
  if (!item) throw new Error(`corpus item ${name} not found in ${CORPUS_DIR}`);
  return item;
}
