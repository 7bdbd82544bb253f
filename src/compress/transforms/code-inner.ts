// Inside a body kept whole because the request's terms rank it first: the statements that carry none of the
// request's terms and raise no error go, in runs, each a one-line note naming its lines, so a 400-line
// function the question is about keeps the lines it asks about, the statements around them, and their
// enclosing headers and braces. What stays is the original text; the outline's parse check still applies.

import type { Node } from 'web-tree-sitter';
import { containsTerm, type Query } from '../query.js';
import { type Elision, MIN_ELIDED_LINES } from './code-elisions.js';
import { lastRow } from './code-grammars.js';
import { failureMessage } from './code-hints.js';

/** A row holding one of the request's terms alone is kept when no more than this many rows hold it. */
const RARE_ROWS = 3;

/**
 * The rows of `code[from..to]` a reader asking `query` needs: two of the request's terms, or one that few
 * rows hold (a term on every other line, `JSON_` in a macro's name, tells nothing), or a failure raised.
 */
export function rowsToKeep(code: readonly string[], from: number, to: number, query: Query): Set<number> {
  const rows = new Set<number>();
  const matches: Array<{ row: number; terms: string[] }> = [];
  const rowsWith = new Map<string, number>();
  for (let row = from; row <= to; row++) {
    const text = code[row] as string;
    const lower = text.toLowerCase();
    const terms = query.terms.filter((term) => containsTerm(text, lower, term));
    for (const term of terms) rowsWith.set(term, (rowsWith.get(term) ?? 0) + 1);
    if (terms.length > 0) matches.push({ row, terms });
    const message = failureMessage(code, row, to);
    if (message >= 0) {
      rows.add(row);
      rows.add(message);
    }
  }
  for (const { row, terms } of matches)
    if (terms.length >= 2 || terms.some((term) => (rowsWith.get(term) ?? 0) <= RARE_ROWS)) rows.add(row);
  return rows;
}

function holdsAny(rows: ReadonlySet<number>, start: number, end: number): boolean {
  for (const row of rows) if (row >= start && row <= end) return true;
  return false;
}

// The nodes whose children are statements or members, in the grammars outlined here: C's compound_statement,
// JavaScript's statement_block and switch_body, Python's block, Java's switch_block_statement_group, Rust's
// declaration_list… A run is cut only among these children, never out of an expression or an argument list.
const STATEMENTS = /block|body|compound_statement|statement_list|declaration_list|case|clause/;

/** Nothing but whitespace before the node on its first row and after it on its last. */
function ownsItsRows(node: Node, code: readonly string[]): boolean {
  const first = code[node.startPosition.row] ?? '';
  if (first.slice(0, node.startPosition.column).trim() !== '') return false;
  const end = lastRow(node);
  if (end !== node.endPosition.row) return true;
  return (code[end] ?? '').slice(node.endPosition.column).trim() === '';
}

/**
 * The runs of statements inside `body` (a kept function body) that can go: named nodes holding no row to
 * keep and sharing no row with what stays, of at least `MIN_ELIDED_LINES` lines together. A node holding a
 * row to keep is looked into, and so is one that shares its rows (`if (x) {` keeps its header, its block
 * goes). `indentation`: a block left with no statement takes `...` (Python).
 */
export function innerElisions(
  body: Node,
  code: readonly string[],
  keep: ReadonlySet<number>,
  indentation: boolean,
): Elision[] {
  const out: Elision[] = [];
  const visit = (node: Node) => {
    let run: Node[] = [];
    const children = node.children;
    const statements = STATEMENTS.test(node.type);
    const named = children.filter((child) => child.isNamed).length;
    const close = () => {
      if (run.length === 0) return;
      const whole = run.length === named;
      const start = (run[0] as Node).startPosition.row;
      const end = lastRow(run.at(-1) as Node);
      if (end - start + 1 >= MIN_ELIDED_LINES)
        out.push({ start, end, what: '', needsStatement: indentation && whole });
      else for (const n of run) if (n.startPosition.row !== lastRow(n)) visit(n);
      run = [];
    };
    for (const child of children) {
      const start = child.startPosition.row;
      const end = lastRow(child);
      const free = statements && child.isNamed && !holdsAny(keep, start, end) && ownsItsRows(child, code);
      const previous = run.at(-1);
      const joins = free && (!previous || lastRow(previous) < start);
      if (joins) {
        run.push(child);
        continue;
      }
      close();
      if (free) {
        run.push(child);
        continue;
      }
      if (start !== end && child.childCount > 0) visit(child);
    }
    close();
  };
  visit(body);
  return out.sort((a, b) => a.start - b.start);
}
