// The tree-sitter runtime and the grammars the code transform parses with, loaded once per process from the
// npm packages that ship them as WebAssembly (nothing is built or fetched). Parsing is synchronous once loaded.
// All at once (`loadGrammars`, what `engine.init()` does), or each the first time a file needs it
// (`loadGrammar`): a grammar's memory (3–8 MB each) is then paid only for the languages an agent reads.

import { createRequire } from 'node:module';
import { Language, type Node, Parser, Query } from 'web-tree-sitter';
import { LANGUAGES, type LanguageName, type LanguageSpec } from './code-languages.js';

/** A loaded grammar: a parser set to it and its compiled definitions and comments queries. */
export interface Grammar {
  parser: Parser;
  definitions: Query;
  comments: Query;
}

/**
 * Thrown by the code transform for a file whose grammar is not loaded yet (lazy loading): the engine sends no
 * result for the block and names the languages, the caller loads them and compresses again, so a file never
 * goes out one way while its grammar loads and another way after.
 */
export class GrammarsPending extends Error {
  constructor(readonly languages: readonly LanguageName[]) {
    super(`grammars not loaded yet: ${languages.join(', ')}`);
    this.name = 'GrammarsPending';
  }
}

const require = createRequire(import.meta.url);
const GRAMMAR_PACKAGE = '@repomix/tree-sitter-wasms';

const grammars = new Map<LanguageName, Grammar>();
const failures = new Map<LanguageName, string>();
const loads = new Map<LanguageName, Promise<void>>();
let runtime: Promise<void> | undefined;

function loadOne(spec: LanguageSpec): Promise<void> {
  let load = loads.get(spec.name);
  if (!load) {
    runtime ??= Parser.init();
    load = (async () => {
      try {
        await runtime;
        const language = await Language.load(
          require.resolve(`${GRAMMAR_PACKAGE}/out/tree-sitter-${spec.grammar}.wasm`),
        );
        const parser = new Parser();
        parser.setLanguage(language);
        grammars.set(spec.name, {
          parser,
          definitions: new Query(language, spec.definitions),
          comments: new Query(language, spec.comments),
        });
      } catch (error) {
        // The language goes by the indentation rule (see `grammarFailures`) rather than failing start-up.
        failures.set(spec.name, (error as Error).message);
      }
    })();
    loads.set(spec.name, load);
  }
  return load;
}

/** Load the grammars of these languages (each once); one that cannot load is told by `grammarFailures`. */
export async function loadGrammar(names: readonly LanguageName[]): Promise<void> {
  await Promise.all(names.map((name) => loadOne(LANGUAGES[name])));
}

/** Load the runtime and every grammar; each is loaded once, later calls wait for it. */
export function loadGrammars(): Promise<void> {
  return loadGrammar(Object.keys(LANGUAGES) as LanguageName[]);
}

/** Whether a language can be parsed now: its grammar loaded, failed to, or not tried (or still loading). */
export function grammarState(name: LanguageName): 'loaded' | 'failed' | 'absent' {
  if (grammars.has(name)) return 'loaded';
  return failures.has(name) ? 'failed' : 'absent';
}

/** The grammar of a language once loaded; undefined before it loaded or when it failed. */
export function grammarFor(name: LanguageName): Grammar | undefined {
  return grammars.get(name);
}

/** The grammars that failed to load, with why. */
export function grammarFailures(): ReadonlyMap<LanguageName, string> {
  return failures;
}

/** The last row a node covers (a node ending at column 0 ends on the row before). */
export function lastRow(node: Node): number {
  const { row, column } = node.endPosition;
  return column === 0 && row > node.startPosition.row ? row - 1 : row;
}
