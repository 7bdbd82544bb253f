// Lines of source files that earlier outputs of a conversation point at: a compiler's or type checker's
// `file:line`, a test's stack frame, a traceback's `File "…", line N`, a grep hit. When the agent then reads one
// of those files, the code there is what it is working on, so the outline keeps it. Only earlier outputs count,
// so a conversation resent with one more turn outlines each read as before.

import type { Memo } from './memo.js';

/** How many places one output can point at; past it, the rest of the output is not read for more. */
const MAX_PER_OUTPUT = 2_000;
/** How many places are kept per file. */
const MAX_PER_FILE = 500;

const EXTENSIONS =
  'py|pyi|js|mjs|cjs|jsx|ts|mts|cts|tsx|go|rs|java|kt|c|h|cc|cpp|cxx|hh|hpp|hxx|ipp|rb|php|cs|swift|scala';
// The end of `path.ext:12` or `path.ext(12,5)`; the path is read backwards from it, so no match backtracks.
const PLACE_END = new RegExp(`\\.(?:${EXTENSIONS})(?::(\\d+)|\\((\\d+)[,)])`, 'g');
// A traceback frame: `File "path.ext", line 12`.
const FRAME = new RegExp(`File "([^"\\n]{1,500}\\.(?:${EXTENSIONS}))", line (\\d+)`, 'g');
const MAX_PATH = 500;

/** Where the path ending at `end` starts: back over the characters a path is made of. */
function pathStart(text: string, end: number): number {
  let start = end;
  while (start > 0 && end - start < MAX_PATH && /[\w.@+~/\\:-]/.test(text[start - 1] as string)) start--;
  // A Windows drive (`C:`) stays; any other colon ends what came before (`error TS2304 at src/a.ts`).
  const colon = text.lastIndexOf(':', end - 1);
  if (colon >= start && !(colon === start + 1 && /[A-Za-z]/.test(text[start] as string))) start = colon + 1;
  return start;
}

/** A file's path as its segments, `.` and empty ones dropped, lower-cased on case-insensitive systems' paths. */
function segmentsOf(path: string): string[] {
  return path.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
}

/** True when one path ends with the other: `src/a.ts` and `/work/app/src/a.ts` name the same file. */
function samePlace(a: readonly string[], b: readonly string[]): boolean {
  const shorter = a.length <= b.length ? a : b;
  const longer = shorter === a ? b : a;
  if (shorter.length === 0 || shorter.includes('..')) return false;
  for (let i = 1; i <= shorter.length; i++) if (shorter.at(-i) !== longer.at(-i)) return false;
  return true;
}

/** A place one output points at: a file's path and a line of it. */
export type Place = readonly [path: string, line: number];

/** The places a text points at, in the order it names them, at most `MAX_PER_OUTPUT`. */
function placesIn(text: string): Place[] {
  const places: Place[] = [];
  const found = (path: string, line: number) => {
    if (!Number.isSafeInteger(line) || line < 1) return;
    const name = path.split(/[\\/]/).at(-1);
    if (name && !name.startsWith('.')) places.push([path, line]);
  };
  for (const match of text.matchAll(PLACE_END)) {
    const end = match.index + match[0].indexOf(match[1] !== undefined ? ':' : '(');
    found(text.slice(pathStart(text, match.index), end), Number(match[1] ?? match[2]));
    if (places.length >= MAX_PER_OUTPUT) return places;
  }
  for (const match of text.matchAll(FRAME)) {
    found(match[1] as string, Number(match[2]));
    if (places.length >= MAX_PER_OUTPUT) return places;
  }
  return places;
}

/**
 * The places earlier outputs pointed at, by file. A conversation is resent whole every turn, so the places an
 * output names are kept in `seen` under its key and not looked for again.
 */
export class Pointers {
  private readonly byName = new Map<string, Array<{ segments: string[]; lines: Set<number> }>>();

  constructor(private readonly seen?: Memo<readonly Place[]>) {}

  /** Reads an output for the places it points at; `key` names its text in `seen` (the engine's dedup key). */
  add(text: string, key?: string): void {
    let places = key === undefined ? undefined : this.seen?.get(key);
    if (!places) {
      places = placesIn(text);
      if (key !== undefined) this.seen?.set(key, places);
    }
    for (const [path, line] of places) this.remember(path, line);
  }

  private remember(path: string, line: number): void {
    const segments = segmentsOf(path);
    const name = segments.at(-1);
    if (!name) return;
    const files = this.byName.get(name) ?? [];
    let file = files.find((f) => f.segments.join('/') === segments.join('/'));
    if (!file) {
      file = { segments, lines: new Set() };
      files.push(file);
      this.byName.set(name, files);
    }
    if (file.lines.size < MAX_PER_FILE) file.lines.add(line);
  }

  /** The lines (1-based, ascending) pointed at in the file at `path`. */
  linesOf(path: string | undefined): number[] {
    if (!path) return [];
    const segments = segmentsOf(path);
    const files = this.byName.get(segments.at(-1) ?? '') ?? [];
    const lines = new Set<number>();
    for (const file of files)
      if (samePlace(file.segments, segments)) for (const line of file.lines) lines.add(line);
    return [...lines].sort((a, b) => a - b);
  }
}
