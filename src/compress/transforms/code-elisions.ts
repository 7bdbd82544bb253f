// Dropped line ranges of a source file and the one-line note each leaves behind, written as a comment of the
// file's language so the outline stays code; every kept line is the original, byte for byte.

import type { SourceLines } from '../numbered.js';

/** A run of lines dropped from a source file. */
export interface Elision {
  /** First and last dropped line, as 0-based indexes into the source's lines. */
  start: number;
  end: number;
  /** What went, for the note (`body of parseArgs`); empty for a plain run of lines. */
  what: string;
  /** The function's name when it has one: what `headroom_retrieve` can be asked for. */
  name?: string;
  /** The note is the block's only statement (Python: a comment alone is no statement, `...` is one). */
  needsStatement: boolean;
  /**
   * What the note starts with when it sits inside a comment (`///`, ` *`, '' in a docstring) rather than being
   * one written with the language's line comment.
   */
  mark?: string;
  /** Dropped lines worth showing under the note, each as `// 142: <the line>` (code-hints.ts). */
  hints?: readonly Hint[];
}

/** A dropped line shown under its elision's note: its 0-based index and its text, trimmed. */
export interface Hint {
  line: number;
  text: string;
}

/** Fewer lines than this stay: a note would cost about as much as they do. */
export const MIN_ELIDED_LINES = 4;

const INDENT = /^[ \t]*/;

/** The indentation of the first non-blank line of a run, which its note takes. */
function indentationOf(lines: readonly string[], start: number, end: number): string {
  for (let i = start; i <= end; i++) {
    const line = lines[i] as string;
    if (line.trim() !== '') return INDENT.exec(line)?.[0] ?? '';
  }
  return '';
}

/** How the reader gets lines `first`-`last` back with the tool it read them with. */
export type ReadBack = (first: number, last: number) => string;

/** Claude Code's and Gemini CLI's read tools take the first line and a count. */
export const readToolBack: ReadBack = (first, last) => `Read offset=${first} limit=${last - first + 1}`;

/** The note a run leaves: `    // lines 120-188: body of parseArgs elided (Read offset=120 limit=69)`. */
export function noteFor(
  elision: Elision,
  source: SourceLines,
  comment: string,
  readBack: ReadBack = readToolBack,
): string {
  const first = source.numbers[elision.start] as number;
  const last = source.numbers[elision.end] as number;
  const indent = indentationOf(source.code, elision.start, elision.end);
  const what = elision.what ? `: ${elision.what}` : '';
  const statement = elision.needsStatement ? '... ' : '';
  return `${indent}${statement}${markOf(elision, comment)}lines ${first}-${last}${what} elided (${readBack(first, last)})`;
}

/** `// ` for a note written as a line comment, the comment's own mark inside one, nothing in a docstring. */
function markOf(elision: Elision, comment: string): string {
  const mark = elision.mark ?? comment;
  return mark ? `${mark} ` : '';
}

/** The lines under a note that show its hints: `    //   142: error_message = "…";`. */
function hintLines(elision: Elision, source: SourceLines, comment: string): string[] {
  if (!elision.hints || elision.hints.length === 0) return [];
  const indent = indentationOf(source.code, elision.start, elision.end);
  const mark = markOf(elision, comment);
  return elision.hints.map((hint) => `${indent}${mark}  ${source.numbers[hint.line]}: ${hint.text}`);
}

/**
 * The lines of `source` with each elision replaced by its note, in order: as shown to the reader (numbers and
 * the trailer included) or as bare code, which is what the outline is parsed as to check it.
 */
export function renderElided(
  source: SourceLines,
  elisions: readonly Elision[],
  comment: string,
  view: 'shown' | 'code',
  readBack: ReadBack = readToolBack,
): string[] {
  const lines = view === 'shown' ? source.shown : source.code;
  const out: string[] = [];
  let next = 0;
  for (const elision of elisions) {
    for (let i = next; i < elision.start; i++) out.push(lines[i] as string);
    const prefix = view === 'shown' ? source.blankPrefix(elision.start) : '';
    // A file with CRLF line ends keeps them on the notes too.
    const cr = (lines[elision.start] as string).endsWith('\r') ? '\r' : '';
    out.push(`${prefix}${noteFor(elision, source, comment, readBack)}${cr}`);
    for (const hint of hintLines(elision, source, comment)) out.push(`${prefix}${hint}${cr}`);
    next = elision.end + 1;
  }
  for (let i = next; i < lines.length; i++) out.push(lines[i] as string);
  if (view === 'shown') out.push(...source.trailer);
  return out;
}

// A run stays unless dropping it saves clearly more than its note costs.
const WORTH = 1.5;

/** True when the lines of an elision are worth more than half again the note that would replace them. */
export function worthEliding(
  elision: Elision,
  source: SourceLines,
  comment: string,
  readBack: ReadBack = readToolBack,
): boolean {
  let chars = 0;
  for (let i = elision.start; i <= elision.end; i++) chars += (source.code[i] as string).length + 1;
  return chars >= noteFor(elision, source, comment, readBack).length * WORTH;
}

/** How many lines the elisions drop. */
export function droppedLines(elisions: readonly Elision[]): number {
  let dropped = 0;
  for (const elision of elisions) dropped += elision.end - elision.start + 1;
  return dropped;
}
