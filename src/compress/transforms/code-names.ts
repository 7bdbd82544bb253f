// The identifiers a reader asked about, matched whole and case-insensitively against a file's definitions:
// those the request names (its stemmed terms, the words of the call's arguments such as a grep pattern), and
// the words of the file's own path, which count only when the request names no definition of the file.

import { argumentText } from '../policy.js';
import { type Query, stem, words } from '../query.js';
import type { TransformContext } from '../types.js';

/** Tells whether an identifier is one the reader asked about. */
export type NameTest = (identifier: string) => boolean;

export interface NamesAsked {
  /** Identifiers the request names. */
  named: NameTest;
  /** Identifiers the file's path names (`src/parse_args.py`: `parse_args`). */
  ofPath: NameTest;
  /** The request's terms without the path's words: what bodies are ranked by. */
  query: Query;
}

const MIN_WORD = 3;
const NONE: NameTest = () => false;

/** `#private` and `~Destructor` are asked about by their bare names. */
const bare = (identifier: string) => identifier.replace(/^[#~]/, '').toLowerCase();

/** The file's name without its extension, whole and word by word (`parse_args`, `client-h1`: `client`, `h1`). */
function fileNames(path: string): Set<string> {
  const file = path.split(/[\\/]/).at(-1) ?? '';
  const dot = file.lastIndexOf('.');
  const base = (dot > 0 ? file.slice(0, dot) : file).toLowerCase();
  return new Set([base, ...words(base)].filter((word) => word.length >= MIN_WORD));
}

export function namesAskedFor(ctx: TransformContext): NamesAsked {
  // The engine's query holds the call's arguments, the path among them: its words are no request.
  const path = ctx.pathHint ?? '';
  const inPath = new Set(words(path));
  const pathStems = new Set([...inPath].map(stem));
  const terms = new Set(ctx.query.terms.filter((term) => !pathStems.has(term) && !inPath.has(term)));
  const plain = new Set<string>();
  for (const word of words(ctx.toolArgs ? argumentText(ctx.toolArgs) : '')) {
    if (word.length >= MIN_WORD && !inPath.has(word)) plain.add(word);
  }
  const ofPath = fileNames(path);
  const named: NameTest =
    terms.size === 0 && plain.size === 0
      ? NONE
      : (identifier) => {
          const lower = bare(identifier);
          return plain.has(lower) || terms.has(lower) || terms.has(stem(lower));
        };
  return {
    named,
    ofPath: ofPath.size === 0 ? NONE : (identifier) => ofPath.has(bare(identifier)),
    query: { terms: [...terms] },
  };
}
