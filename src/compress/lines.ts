// Line-level helpers shared by the line-oriented transforms (logs, search, diff, text):
// splitting, templating (variables masked so repeated lines group together) and gap notes.

/** `text` on one line: every run of whitespace, line breaks included, as one space; ends trimmed. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Lines of a text, without a trailing empty line from a final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// Day and month names, timestamps, dotted numbers (IPs, versions, times), hex ids and digit runs, in that order of preference.
const VARIABLE =
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|\d{4}-\d{2}-\d{2}[T ][\d:.,]+Z?|\d+(?:[.:,]\d+)+|0x[0-9a-fA-F]+|\b(?=[0-9a-f]*\d)[0-9a-f]{8,}(?:-[0-9a-f]{4,})*\b|-?\d+/g;

// Tokens holding a masked part or a slash, matched from their start only (the lookbehind), so the
// scan stays linear on long lines; templating runs on every line of megabyte logs.
const MASKABLE_TOKEN = /(?<![\w.:/#+@%~-])[\w.:+@%~-]*[#/][\w.:/#+@%~-]*/g;
const SLASH = 47;
const HASH = 35;
const DOT = 46;
const COLON = 58;
const DASH = 45;

/**
 * Paths with two or more separators (`/home/u/a.out`, `src/x/y.ts`, not `I/O`) are one variable; so is
 * a compound token that still holds a masked part (`R#-M#-NC-C:J#-U#`, `core.#`) and a name numbered
 * at its end (`dn#`). A name with a digit inside (`jk#_init`) stays readable.
 */
function maskToken(token: string): string {
  let slashes = 0;
  let masked = false;
  let compound = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === SLASH) {
      slashes++;
      compound = true;
    } else if (c === HASH) masked = true;
    else if (c === DOT || c === COLON || c === DASH) compound = true;
  }
  if (slashes >= 2 && token.length >= 4) return '#';
  if (!masked || token === '#') return token;
  return compound || token.charCodeAt(token.length - 1) === HASH ? '#' : token;
}

/** A line with its variable parts (numbers, ids, times, addresses, node names, paths) replaced by `#`. */
export function template(line: string): string {
  // The values of `key=value` pairs and `{…}` dumps vary; their keys say what kind of line it is.
  // Column padding (pids, thread ids) varies with the width of the values it aligns.
  return line
    .replace(/\{[^{}]*\}/g, '{#}')
    .replace(/=(?![\uE000-\uE009]+(?:[\s,;]|$))[^\s,;]+/g, '=#')
    .replace(VARIABLE, '#')
    .replace(MASKABLE_TOKEN, maskToken)
    .replace(/ {2,}/g, ' ');
}

// Numbers that name an outcome rather than vary with it: an HTTP status after the request or protocol
// (`"GET /x HTTP/1.1" 503`, `GET /x 500 12ms`, `status=502`) and an exit code (`exit 1`, `exited with code 2`).
const OUTCOME =
  /(HTTP\/\d(?:\.\d)?"?\s+|\b(?:GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS) \/\S* |\b(?:status(?:Code|_code)?|exit(?:_?code)?|exit status|exited with(?: code| status)?|return(?:ed)? code|default)["']?\s*[=: ]\s*)(\d{1,3})\b/gi;
// Digits of an outcome stand for themselves while the rest is templated: moved to characters no mask matches.
const toLiteral = (digits: string) => digits.replace(/\d/g, (d) => String.fromCharCode(0xe000 + Number(d)));
const fromLiteral = (text: string) =>
  text.replace(/[\uE000-\uE009]/g, (c) => String(c.charCodeAt(0) - 0xe000));

/**
 * A log line's template: `template`, but HTTP statuses and exit codes stay as they are, so a 503 among
 * thousands of 200s, or `exit 1` after `exit 0`, is a template of its own and never a masked count.
 */
export function logTemplate(line: string): string {
  OUTCOME.lastIndex = 0;
  if (!OUTCOME.test(line)) return template(line);
  return fromLiteral(
    template(line.replace(OUTCOME, (_, lead: string, code: string) => lead + toLiteral(code))),
  );
}

/** The variable parts of a line, in order: the values `template` masked. */
export function variables(line: string): string[] {
  return line.match(VARIABLE) ?? [];
}

/** Indices kept from `count` lines, rendered in order with a one-line note for each gap. */
export function renderKept(
  lines: readonly string[],
  keep: ReadonlySet<number> | readonly boolean[],
  gapNote: (omitted: number) => string = (n) => `[… ${n} line${n === 1 ? '' : 's'} omitted]`,
): { text: string; omitted: number } {
  const has = (i: number) => (Array.isArray(keep) ? Boolean(keep[i]) : (keep as ReadonlySet<number>).has(i));
  const out: string[] = [];
  let gap = 0;
  let omitted = 0;
  const closeGap = (at: number) => {
    // One dropped line no longer than its note is cheaper to show than to announce.
    const only = lines[at - 1] as string;
    if (gap === 1 && only.length <= gapNote(1).length) {
      out.push(only);
      omitted--;
    } else if (gap > 0) out.push(gapNote(gap));
    gap = 0;
  };
  for (let i = 0; i < lines.length; i++) {
    if (has(i)) {
      closeGap(i);
      out.push(lines[i] as string);
    } else {
      gap++;
      omitted++;
    }
  }
  closeGap(lines.length);
  return { text: out.join('\n'), omitted };
}
