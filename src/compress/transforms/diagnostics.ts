// Compiler and type-checker output (g++/clang, javac, tsc, mypy, Python's compile errors): diagnostics grouped by message
// template; the first of each kind stays whole, each file's first header stays, and the other places of
// a kind are listed compactly (`lexer.hpp:62, lexer.hpp:70, …`), so a question about any one is answered.

import { splitLines, template } from '../lines.js';
import { type Query, relevance, termWeights } from '../query.js';
import type { Compressed } from '../types.js';
import { clip, moreNote, nameList, uniqueShortNames } from './notes.js';

// `file:line[:col]: severity: message` (gcc, clang, javac, mypy) or `file(line,col): severity TS…: message` (tsc).
const HEADER =
  /^(\S(?:.*?\S)?)(?::(\d+)(?::(\d+))?:|\((\d+),(\d+)\):)\s*(fatal error|error|warning|note|hint)\b:?\s*(.*)$/;
// Python's compile errors (py_compile, compileall): `  File "x.py", line 3`, the line, a caret, `SyntaxError: …`.
const PYTHON_HEADER = /^\s+File "([^"]+)", line (\d+)$/;
const PYTHON_MESSAGE = /^(\w*(?:Error|Warning)): (.*)$/;
// Lines that say where the next diagnostic comes from: include chains, the enclosing function, the file
// compileall was compiling.
const CONTEXT =
  /^(\*\*\* Error compiling |In file included from |\s+from \S+:\d+[,:]$|\S.*: (In (static |member |constructor|destructor|function|instantiation|lambda)|At global scope:|At top level:)|\S.*:\d+:\d+:\s+required from )/;
// Totals and advice printed once at the end or the start of a run.
const SUMMARY =
  /^(\d+ (errors?|warnings?)( generated)?\.?$|Found \d+ errors?|Success: |only showing the first|Note: |\d+ errors? and \d+ warnings?|compilation terminated|error: aborting|make(\[\d+\])?: \*\*\*|ninja: build stopped|FAILED:|Compilation failed)/;
const QUOTED = /'[^'\s]{1,80}'|"[^"\s]{1,80}"|‘[^’]{1,80}’/g;
const SYMBOL_DETAIL = /^\s+symbol:\s+(.*\S)\s*$/;
// Unquoted qualified names (`android.content`, `std::vector`, `a/b.h`) vary like quoted ones.
const DOTTED = /\b[\w$]+(?:(?:\.|::|\/)[\w$]+)+\b/g;

const QUERY_HEADERS = 12;
/** Kinds whose first diagnostic keeps the source excerpt and caret it prints. */
const KINDS_WITH_EXCERPTS = 8;
// An excerpt: gcc/clang's `  9 |   code` and `    |   ^~~`, or a caret line and the source line above it (javac).
const EXCERPT = /^\s*\d*\s*\|/;
const CARET = /^\s*\^[~^]*\s*$/;

function isExcerpt(lines: readonly string[], i: number): boolean {
  const line = lines[i] as string;
  return EXCERPT.test(line) || CARET.test(line) || CARET.test(lines[i + 1] ?? '');
}
const NAMES_LISTED = 10;
/** Places of one kind of diagnostic listed before the list says how many more there are. */
const PLACES_LISTED = 60;

interface Entry {
  /** Include chain and enclosing-function lines before the header. */
  context: number[];
  header: number;
  /** The line it points at, as printed after the file: `:12`, or tsc's `(12,5)`. */
  at: string;
  /** Source excerpt, caret and detail lines after the header. */
  body: number[];
  file: string;
  kind: string;
  severity: string;
}

/** Share of lines that belong to diagnostics; the rest of the output is what the logs path handles. */
export function diagnosticShare(lines: readonly string[]): number {
  let heads = 0;
  for (const line of lines) if (HEADER.test(line) || PYTHON_HEADER.test(line)) heads++;
  return heads / Math.max(1, lines.length);
}

function parse(lines: readonly string[]): { entries: Entry[]; loose: number[] } {
  const entries: Entry[] = [];
  const loose: number[] = [];
  let context: number[] = [];
  let current: Entry | undefined;
  lines.forEach((line, i) => {
    const m = HEADER.exec(line);
    const python = m ? undefined : PYTHON_HEADER.exec(line);
    if (python) {
      // Its message comes after the excerpt; until then the kind is only "a compile error".
      current = {
        context,
        header: i,
        at: `:${python[2]}`,
        body: [],
        file: python[1] as string,
        severity: 'error',
        kind: 'error: ',
      };
      entries.push(current);
      context = [];
    } else if (m) {
      // A checker's own code (`TS2304`) names the kind: it stays as it is.
      const [, code = '', rest = ''] = /^([A-Z]+\d+:\s*)?(.*)$/.exec(m[7] ?? '') ?? [];
      const message = code + template(rest.replace(QUOTED, "'#'").replace(DOTTED, '#'));
      current = {
        context,
        header: i,
        at: m[2] ? `:${m[2]}` : `(${m[4]},${m[5]})`,
        body: [],
        file: m[1] as string,
        severity: m[6] as string,
        kind: `${m[6]}: ${message}`,
      };
      entries.push(current);
      context = [];
    } else if (CONTEXT.test(line)) {
      context.push(i);
      current = undefined;
    } else if (SUMMARY.test(line) || !current) {
      loose.push(i);
      current = undefined;
    } else {
      current.body.push(i);
      const message = current.kind === 'error: ' ? PYTHON_MESSAGE.exec(line) : undefined;
      if (message)
        current.kind = `error: ${message[1]}: ${template((message[2] as string).replace(QUOTED, "'#'"))}`;
      // javac names the missing symbol on a detail line: it is the real message of `cannot find symbol`.
      const symbol = SYMBOL_DETAIL.exec(line);
      if (symbol) current.kind += ` (${symbol[1]})`;
    }
  });
  for (const i of context) loose.push(i);
  return { entries, loose };
}

/** Shorten compiler output; undefined when it holds too few diagnostics to group. */
export function compressDiagnostics(text: string, query: Query): Compressed | undefined {
  const lines = splitLines(text);
  const n = lines.length;
  const { entries, loose } = parse(lines);
  if (entries.length < 4) return undefined;
  const keep: boolean[] = new Array(n).fill(false);
  for (const i of loose) keep[i] = true;

  const kinds = new Map<string, Entry[]>();
  for (const entry of entries) {
    const same = kinds.get(entry.kind);
    if (same) same.push(entry);
    else kinds.set(entry.kind, [entry]);
  }
  const shown = new Set<Entry>();
  const showHeader = (entry: Entry) => {
    keep[entry.header] = true;
    shown.add(entry);
  };
  let excerpts = 0;
  for (const group of kinds.values()) {
    const first = group[0] as Entry;
    // The first of each kind is the one to read: where it comes from, what it says, the code it points
    // at. Past the first few kinds the code excerpt goes (the place is in the header) and the details stay.
    const body =
      excerpts++ < KINDS_WITH_EXCERPTS ? first.body : first.body.filter((i) => !isExcerpt(lines, i));
    for (const i of [...first.context, first.header, ...body]) keep[i] = true;
    shown.add(first);
  }
  // Every file shows its first diagnostic, and a file the query names the first of each kind it has:
  // "which files fail" in full, "how does this one fail" too; the other places of a kind are listed below.
  const named = namedFiles(entries, query);
  const seen = new Set<string>();
  for (const entry of entries) {
    const key = named.has(entry.file) ? `${entry.file}\u0000${entry.kind}` : entry.file;
    if (seen.has(key)) continue;
    seen.add(key);
    showHeader(entry);
  }
  // A note or hint right after a shown diagnostic belongs to it (mypy's install hints, gcc's candidates).
  entries.forEach((entry, k) => {
    const next = entries[k + 1];
    if (shown.has(entry) && next && next.severity === 'note' && next.file === entry.file) showHeader(next);
  });
  const headers = entries.map((e) => lines[e.header] as string);
  const weights = termWeights(headers, query);
  const scores = headers.map((h) => relevance(h, weights));
  const best = Math.max(0, ...scores);
  if (best > 0)
    entries
      .map((entry, k) => [scores[k] as number, k, entry] as const)
      .filter(([score]) => score >= best * 0.6)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, QUERY_HEADERS)
      .forEach(([, , entry]) => {
        showHeader(entry);
      });

  const kept: string[] = [];
  let omitted = 0;
  for (let i = 0; i < n; i++) {
    if (keep[i]) kept.push(lines[i] as string);
    else omitted++;
  }
  if (omitted === 0) return undefined;
  const shortNames = uniqueShortNames([...new Set(entries.map((e) => e.file))]);
  const repeats = [...kinds.values()]
    .map((group) => group.filter((e) => !shown.has(e)))
    .filter((hidden) => hidden.length > 0)
    .sort((a, b) => b.length - a.length || (a[0] as Entry).header - (b[0] as Entry).header)
    .map((hidden) => repeatLine(hidden, lines, shortNames));
  const out =
    repeats.length > 0
      ? `${kept.join('\n')}\nMore diagnostics of the kinds above:\n${repeats.join('\n')}`
      : kept.join('\n');
  if (out.length >= text.length) return undefined;
  return {
    text: out,
    summary: `${entries.length - shown.size} of ${entries.length} diagnostics folded, ${omitted} of ${n} lines omitted`,
  };
}

/** `  37× error: '#' was not declared in this scope; names: 'get', 'current'; at lexer.hpp:62, lexer.hpp:70, …` */
function repeatLine(
  hidden: readonly Entry[],
  lines: readonly string[],
  shortNames: ReadonlyMap<string, string>,
): string {
  const names = new Set<string>();
  let moreNames = 0;
  const name = (found: string) => {
    if (names.has(found)) return;
    if (names.size < NAMES_LISTED) names.add(found);
    else moreNames++;
  };
  for (const entry of hidden) {
    const message = HEADER.exec(lines[entry.header] as string)?.[7] ?? '';
    for (const m of message.matchAll(QUOTED)) name(m[0]);
    for (const m of message.replace(QUOTED, '').matchAll(DOTTED)) name(m[0]);
  }
  const first = hidden[0] as Entry;
  // Places as `file:line` (the column is where to look, not what is wrong), in the order reported, each once.
  const places = [
    ...new Set(hidden.slice(0, PLACES_LISTED).map((e) => `${shortNames.get(e.file) ?? e.file}${e.at}`)),
  ];
  if (hidden.length > PLACES_LISTED) places.push(moreNote(hidden.length - PLACES_LISTED, 'place'));

  const listed = names.size > 0 ? `; names: ${nameList([...names], moreNames, 240)}` : '';
  return `  ${hidden.length}× ${clip(first.kind, 140)}${listed}; at ${places.join(', ')}`;
}

/** Files whose own name the query holds (`lexer.hpp`), unless it holds most files' names. */
function namedFiles(entries: readonly Entry[], query: Query): Set<string> {
  const files = [...new Set(entries.map((e) => e.file))];
  const names = files.map((f) => f.slice(f.lastIndexOf('/') + 1).replace(/[._-]/g, ' '));
  const weights = termWeights(names, query);
  for (const term of [...weights.keys()])
    if (names.filter((name) => name.toLowerCase().includes(term)).length > names.length / 2)
      weights.delete(term);
  return new Set(files.filter((_, k) => relevance(names[k] as string, weights) > 0));
}
