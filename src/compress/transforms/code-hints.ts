// Dropped lines worth seeing without reading their range back, shown under the note that replaced them: the
// lines an earlier output pointed at, the lines that hold the request's rarer terms, the lines that raise, throw
// or log an error with its message (what a reader hunting a failure looks for, whatever the request says), and
// those that read an environment variable or name a setting with its number. A few per note and a small share
// of the file, so the outline stays an outline.

import { containsTerm, type Query } from '../query.js';
import type { Elision, Hint } from './code-elisions.js';
import { clip } from './notes.js';

/** Hints under one note, at most: this many, and one more for every `LINES_PER_HINT` lines it drops. */
const MAX_PER_NOTE = 3;
const LINES_PER_HINT = 40;
/** All hints together cost at most this share of the file's characters. */
const MAX_SHARE = 0.06;
/** A line that holds only one of the request's terms is a hint when no more than this many dropped lines do. */
const RARE_LINES = 3;
const MAX_HINT_CHARS = 200;

// Raising, throwing or logging an error, or setting an error message, in the languages outlined here.
const FAILS =
  /\b(throw|raise|panic!?|die|abort)\b|\b[A-Z]\w*(Error|Exception)\s*[({]|\berrors\.New\b|\bErrorf\b|\.(error|warn|warning|fatal|critical|e|w)\s*\(|\b\w*(error|err|message|msg)\w*\s*[:=]\s*[fr]?["'`]/i;
// Facts a reader asks about whatever the request says: an environment variable read, and a setting or code
// given by name with a number (`getInteger("LoadUrlTimeoutValue", 20000)`, `put("errorCode", -6)`).
const SETTING =
  /\b(getenv|Getenv|environ(\.get)?\s*[[(]|process\.env\.)|\(\s*(["'])[\w.:-]{2,}\3\s*,\s*-?\d+(\.\d+)?\s*\)/;
const MESSAGE = /"[^"]{3,}"|'[^']{3,}'|`[^`]{3,}`/;

interface Scored {
  elision: number;
  line: number;
  score: number;
}

/** The line holding the message of a failure raised at `line` (there or on the next line), or -1. */
export function failureMessage(code: readonly string[], line: number, last: number): number {
  const text = code[line] as string;
  if (!FAILS.test(text)) return -1;
  if (MESSAGE.test(text)) return line;
  const next = code[line + 1];
  return line < last && next !== undefined && /[(,]\s*$/.test(text) && MESSAGE.test(next) ? line + 1 : -1;
}

/** A line that can sit in a comment under the note: one that cannot end the comment or continue it. */
function showable(text: string, insideComment: boolean): boolean {
  if (text === '' || text.endsWith('\\')) return false;
  return !insideComment || !/\*\/|"""|'''/.test(text);
}

/** The elisions with the hints each shows, chosen over the whole file by score and within its share. */
export function withHints(
  elisions: readonly Elision[],
  code: readonly string[],
  query: Query,
  pointed: ReadonlySet<number> = new Set(),
): Elision[] {
  const scored: Scored[] = [];
  const termLines = new Map<string, number>();
  const matches: Array<{ elision: number; line: number; terms: string[] }> = [];
  elisions.forEach((elision, index) => {
    for (let line = elision.start; line <= elision.end; line++) {
      const text = code[line] as string;
      const lower = text.toLowerCase();
      const terms = query.terms.filter((term) => containsTerm(text, lower, term));
      for (const term of terms) termLines.set(term, (termLines.get(term) ?? 0) + 1);
      if (terms.length > 0) matches.push({ elision: index, line, terms });
    }
  });
  const total = [...termLines.values()].reduce((sum, n) => sum + n, 0) || 1;
  const weight = (term: string) => Math.log(1 + total / (termLines.get(term) ?? total));
  for (const { elision, line, terms } of matches) {
    const rare = terms.some((term) => (termLines.get(term) ?? 0) <= RARE_LINES);
    if (terms.length < 2 && !rare) continue;
    scored.push({ elision, line, score: terms.reduce((sum, term) => sum + weight(term), 0) });
  }
  const failureWeight = Math.max(1, ...scored.map((s) => s.score));
  elisions.forEach((elision, index) => {
    // A comment's examples log and throw too, but it is code that fails.
    if (elision.mark !== undefined) return;
    for (let line = elision.start; line <= elision.end; line++) {
      const message = failureMessage(code, line, elision.end);
      if (message >= 0) scored.push({ elision: index, line: message, score: failureWeight });
      else if (SETTING.test(code[line] as string))
        scored.push({ elision: index, line, score: failureWeight * 0.9 });
    }
  });

  // Lines an earlier output pointed at come first: the reader is working on them.
  elisions.forEach((elision, index) => {
    for (const line of pointed)
      if (line >= elision.start && line <= elision.end)
        scored.push({ elision: index, line, score: 2 * failureWeight });
  });

  const budget = code.reduce((sum, line) => sum + line.length + 1, 0) * MAX_SHARE;
  const chosen = elisions.map(() => new Map<number, string>());
  let spent = 0;
  scored.sort((a, b) => b.score - a.score || a.line - b.line);
  for (const { elision, line } of scored) {
    const hints = chosen[elision] as Map<number, string>;
    const { start, end } = elisions[elision] as Elision;
    if (hints.size >= MAX_PER_NOTE + Math.floor((end - start + 1) / LINES_PER_HINT) || hints.has(line))
      continue;
    const text = clip((code[line] as string).trim(), MAX_HINT_CHARS);
    if (!showable(text, (elisions[elision] as Elision).mark !== undefined)) continue;
    if (spent + text.length > budget) continue;
    hints.set(line, text);
    spent += text.length + 12;
  }
  return elisions.map((elision, index) => {
    const hints = chosen[index] as Map<number, string>;
    if (hints.size === 0) return elision;
    const list: Hint[] = [...hints].sort((a, b) => a[0] - b[0]).map(([line, text]) => ({ line, text }));
    return { ...elision, hints: list };
  });
}
