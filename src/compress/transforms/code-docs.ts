// Long comments of the code a request is not about: a doc comment's first lines (what it is, in a sentence or
// two) stay, its examples and details go as one line inside the comment naming them. Comments inside or just
// above a definition kept whole are kept whole too, and a comment inside an elided body is already gone.

import type { Tree } from 'web-tree-sitter';
import { type Elision, MIN_ELIDED_LINES } from './code-elisions.js';
import { grammarFor, lastRow } from './code-grammars.js';
import type { LanguageSpec } from './code-languages.js';

/** Comments of fewer lines stay whole. */
const MIN_COMMENT_LINES = 4;
/** Lines of text a shortened comment keeps, from its first line on, up to its first blank line. */
const SUMMARY_LINES = 1;

/** Rows (0-based, inclusive) that a comment must not be cut in. */
export interface RowSpan {
  start: number;
  end: number;
}

// A comment's own mark at a line's start: `///`, `//!`, `//`, ` * ` of a block comment, `#`.
const MARK = /^\s*(\/\/[/!]?|\*(?!\/)|#)/;
// What a line holds once its comment marks are gone: empty for `///`, ` *`, `/**`, `"""`.
const MARKS = /^\s*(\/\*\*?|\/\/[/!]?|\*\/|\*|#|"""|'''|r"""|"|')?\s*/;

interface Run {
  start: number;
  end: number;
  /** The run ends with a line that closes it (a block comment's end, a docstring's quotes), which stays. */
  closed: boolean;
}

/** The comments that are alone on their lines, adjacent ones merged into runs, in source order. */
function commentRuns(tree: Tree, spec: LanguageSpec, code: readonly string[]): Run[] {
  const grammar = grammarFor(spec.name);
  if (!grammar) return [];
  const nodes: Run[] = [];
  for (const match of grammar.comments.matches(tree.rootNode)) {
    const node = match.captures[0]?.node;
    if (!node) continue;
    const start = node.startPosition.row;
    const end = lastRow(node);
    const before = (code[start] as string).slice(0, node.startPosition.column);
    const after = node.endPosition.row === end ? (code[end] as string).slice(node.endPosition.column) : '';
    if (before.trim() !== '' || after.trim() !== '') continue;
    nodes.push({ start, end, closed: end > start });
  }
  nodes.sort((a, b) => a.start - b.start);
  const runs: Run[] = [];
  for (const node of nodes) {
    const last = runs.at(-1);
    if (last && !last.closed && node.start === last.end + 1) {
      last.end = node.end;
      last.closed = node.closed;
    } else if (!last || node.start > last.end) runs.push({ ...node });
  }
  return runs;
}

const overlaps = (spans: readonly RowSpan[], start: number, end: number) =>
  spans.some((span) => span.start <= end && start <= span.end);

/** The next row after `row` that holds code: past blank lines, attributes and decorators. */
function nextCodeRow(code: readonly string[], row: number): number {
  let next = row + 1;
  while (next < code.length && /^\s*($|#\[|@)/.test(code[next] as string)) next++;
  return next;
}

/**
 * The comments to shorten: every run of at least `MIN_COMMENT_LINES` lines outside `untouchable` rows and not
 * just above a row of `keptStarts`, each keeping its first lines and its closing line.
 */
export function commentElisions(
  tree: Tree,
  spec: LanguageSpec,
  code: readonly string[],
  untouchable: readonly RowSpan[],
  keptStarts: ReadonlySet<number>,
): Elision[] {
  const elisions: Elision[] = [];
  for (const run of commentRuns(tree, spec, code)) {
    if (run.end - run.start + 1 < MIN_COMMENT_LINES) continue;
    if (overlaps(untouchable, run.start, run.end) || keptStarts.has(nextCodeRow(code, run.end))) continue;
    let kept = run.start;
    let text = 0;
    for (let row = run.start; row <= run.end; row++) {
      const blank = (code[row] as string).replace(MARKS, '').trim() === '';
      if (blank && text > 0) break;
      if (!blank) text++;
      kept = row;
      if (text >= SUMMARY_LINES) break;
    }
    const start = kept + 1;
    const end = run.closed ? run.end - 1 : run.end;
    if (end - start + 1 < MIN_ELIDED_LINES) continue;
    const mark = MARK.exec(code[start] as string)?.[1] ?? '';
    elisions.push({ start, end, what: 'rest of the comment', needsStatement: false, mark });
  }
  return elisions;
}
