// File reads as agents show them: Claude Code's Read (`N<TAB>text`, formerly `     N→text`), `cat -n` and
// `nl` number each line; `sed -n 'a,bp'` prints a slice without numbers. A transform that works on the code
// itself reads it without the numbers, prints kept lines as they were shown and names the file's own lines.

import { shellCommand } from './policy.js';

/** A file read as lines: the code to parse, each line as shown, and where it sits in the file. */
export interface SourceLines {
  /** Each line without its number prefix. */
  code: readonly string[];
  /** Each line as the reader was shown it, number included. */
  shown: readonly string[];
  /** The line number of each line in the file (1-based). */
  numbers: readonly number[];
  /** The prefix a line of its own (an elision note) takes before line `index`, so the code column stays put. */
  blankPrefix(index: number): string;
  /** Lines after the numbered ones that are not the file's (a note the agent appended), shown as they are. */
  trailer: readonly string[];
}

// `     12→text` (Claude Code's Read until 2025) and `12<TAB>text` / `    12<TAB>text` (Read, `cat -n`, `nl`).
const ARROW = /^( *)(\d+)→/;
const TAB = /^( *)(\d+)\t/;
// `nl` leaves empty lines unnumbered, as spaces the width of the number column (or nothing once trimmed).
const UNNUMBERED_BLANK = /^ *$/;
// Below this, a few lines that happen to start with a number and a tab are not a numbered read.
const MIN_NUMBERED = 3;
const MIN_NUMBERED_SHARE = 0.8;

/** The lines of a numbered read without their numbers, or undefined when the text is not one. */
export function numberedLines(lines: readonly string[]): SourceLines | undefined {
  const first = lines.find((line) => line.trim() !== '');
  const shape =
    first === undefined ? undefined : ARROW.test(first) ? ARROW : TAB.test(first) ? TAB : undefined;
  if (!shape) return undefined;
  const code: string[] = [];
  const prefixes: string[] = [];
  const shownNumbers: (number | undefined)[] = [];
  let expected: number | undefined;
  let unnumbered = 0;
  let end = 0;
  for (; end < lines.length; end++) {
    const line = lines[end] as string;
    const match = shape.exec(line);
    if (match) {
      const number = Number(match[2]);
      if (expected !== undefined && number !== expected) break;
      expected = number + 1;
      prefixes.push(match[0]);
      code.push(line.slice(match[0].length));
      shownNumbers.push(number);
    } else if (shape === TAB && UNNUMBERED_BLANK.test(line)) {
      unnumbered++;
      prefixes.push(line);
      code.push('');
      shownNumbers.push(undefined);
    } else break;
  }
  // Trailing unnumbered blanks belong to what follows, not to the file.
  while (end > 0 && shownNumbers[end - 1] === undefined) {
    end--;
    unnumbered--;
    prefixes.pop();
    code.pop();
    shownNumbers.pop();
  }
  const numbered = end - unnumbered;
  if (numbered < MIN_NUMBERED || numbered < lines.length * MIN_NUMBERED_SHARE) return undefined;
  const firstNumber = shownNumbers.find((n) => n !== undefined) as number;
  // `nl` counts only the lines it numbers; the file's own line numbers are the positions from its start.
  const numbers = shownNumbers.map((n, i) => (unnumbered > 0 ? firstNumber + i : (n as number)));
  return {
    code,
    shown: lines.slice(0, end),
    numbers,
    blankPrefix: (index) => blankOf(prefixes, index),
    trailer: lines.slice(end),
  };
}

/** The prefix of the nearest numbered line at or before `index`, its digits turned to spaces. */
function blankOf(prefixes: readonly string[], index: number): string {
  for (let i = Math.min(index, prefixes.length - 1); i >= 0; i--) {
    const prefix = prefixes[i] as string;
    if (/\d/.test(prefix)) return prefix.replace(/\d/g, ' ');
  }
  const next = prefixes.find((prefix) => /\d/.test(prefix)) ?? '';
  return next.replace(/\d/g, ' ');
}

/** Lines shown as they are in the file, the first being line `firstLine`. */
export function plainLines(lines: readonly string[], firstLine = 1): SourceLines {
  return {
    code: lines,
    shown: lines,
    numbers: lines.map((_, i) => firstLine + i),
    blankPrefix: () => '',
    trailer: [],
  };
}

// `sed -n '120,188p' file` and `tail -n +120 file` print the file from line 120 on, without numbers.
const SED_RANGE = /\bsed\s+-n\s+(?:-e\s+)?['"]?(\d+)\s*,\s*(?:\d+|\$)\s*p['"]?/;
const TAIL_FROM = /\btail\s+(?:-n\s*)?\+(\d+)\b/;

/** The file line a shell command's printed slice starts at, when the command says (else undefined). */
export function firstLineOfCommand(toolArgs: string | undefined): number | undefined {
  const command = toolArgs ? shellCommand(toolArgs) : undefined;
  if (command === undefined) return undefined;
  const match = SED_RANGE.exec(command) ?? TAIL_FROM.exec(command);
  const line = match ? Number(match[1]) : undefined;
  return line !== undefined && line >= 1 ? line : undefined;
}

/** A tool output read as source lines: numbered when the read numbered them, else from the command's line. */
export function sourceLines(lines: readonly string[], toolArgs?: string): SourceLines {
  return numberedLines(lines) ?? plainLines(lines, firstLineOfCommand(toolArgs) ?? 1);
}
