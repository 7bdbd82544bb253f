// The tree-sitter runtime and the grammars the code transform parses with, loaded once per process from the
// npm packages that ship them as WebAssembly (nothing is built or fetched). Parsing is synchronous once loaded.

import { createRequire } from 'node:module';
import { Language, type Node, Parser, Query } from 'web-tree-sitter';
import { LANGUAGES, type LanguageName, type LanguageSpec } from './code-languages.js';

/** A loaded grammar: a parser set to it and its compiled definitions and comments queries. */
export interface Grammar {
  parser: Parser;
  definitions: Query;
  comments: Query;
}

const require = createRequire(import.meta.url);
const GRAMMAR_PACKAGE = '@repomix/tree-sitter-wasms';

const grammars = new Map<LanguageName, Grammar>();
const failures = new Map<LanguageName, string>();
let loading: Promise<void> | undefined;
let loaded = false;

async function loadGrammar(spec: LanguageSpec): Promise<void> {
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
}

/**
 * Load the runtime and every grammar; the first call does the work, later calls wait for it. A grammar that
 * cannot load leaves its language to the indentation rule (see `grammarFailures`) rather than failing start-up.
 */
export function loadGrammars(): Promise<void> {
  loading ??= (async () => {
    try {
      await Parser.init();
      for (const spec of Object.values(LANGUAGES)) {
        await loadGrammar(spec).catch((error: Error) => failures.set(spec.name, error.message));
      }
    } catch (error) {
      for (const spec of Object.values(LANGUAGES)) failures.set(spec.name, (error as Error).message);
    }
    loaded = true;
  })();
  return loading;
}

/** True once `loadGrammars()` has finished, whether or not every grammar loaded. */
export function grammarsLoaded(): boolean {
  return loaded;
}

/** The grammar of a language once loaded; undefined before `loadGrammars()` finished or when it failed. */
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
