// Cheap checks that tell kinds of tool output apart from a sample of their first lines. Transforms use
// them as their `detect`; the registry runs them in order (compiler diagnostics look like grep hits, so
// search declines them and logs takes them).

import { type AgentCut, agentCut } from './agent-cuts.js';
import { type JsonPrefix, type JsonSuffix, parsePrefix, parseSuffix } from './partial-json.js';
import type { Sample } from './types.js';

const SAMPLE_LINES = 200;
const SAMPLE_CHARS = 64_000;

/** The sample detection looks at: the first non-blank lines (at most 200 from the first 64 000 characters). */
export function sampleOf(text: string): Sample {
  const head = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  const lines = head
    .split('\n', SAMPLE_LINES)
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
  return { text, lines };
}

function share(lines: readonly string[], pattern: RegExp): number {
  if (lines.length === 0) return 0;
  let hits = 0;
  for (const line of lines) if (pattern.test(line)) hits++;
  return hits / lines.length;
}

/** JSON an agent's output cap cut: the prefix it kept, read and closed, its notice, and the end it kept. */
export interface CutJson {
  cut: AgentCut;
  head: JsonPrefix;
  /** The end of the document, when the agent kept it and it reads as one; else the tail is plain text. */
  tail: JsonSuffix | undefined;
}

/** A block of JSON as detection read it: a whole document, or one an agent cut. */
export type JsonBlock = { value: unknown } | { cut: CutJson };

// Detection and the JSON transform read the same block one after the other: the last reading is kept
// for the transform to take, so a megabyte listing is parsed once.
let lastRead: { text: string; block: JsonBlock | undefined } | undefined;

function readJson(text: string): JsonBlock | undefined {
  const t = text.trimStart();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {}
  const cut = agentCut(text);
  // A cut that falls inside a string, with the end kept, can leave text that parses: its notice then sits in a
  // string value, and the middle of the document is gone all the same. Read as cut, so the notice is kept.
  if (whole !== undefined && cut?.tail === undefined) return { value: whole };
  const head = cut && parsePrefix(cut.head);
  if (!cut || !head) return whole === undefined ? undefined : { value: whole };
  return { cut: { cut, head, tail: cut.tail === undefined ? undefined : parseSuffix(cut.tail) } };
}

/** The JSON `text` holds, whole or cut by an agent, taking what detection just read from the same text. */
export function jsonBlock(text: string): JsonBlock | undefined {
  const read = lastRead;
  lastRead = undefined;
  if (read && read.text === text) return read.block;
  return readJson(text);
}

export function looksLikeJson({ text }: Sample): boolean {
  const block = readJson(text);
  lastRead = { text, block };
  return !!block && ('cut' in block || (typeof block.value === 'object' && block.value !== null));
}

export function looksLikeDiff({ lines }: Sample): boolean {
  let headers = 0;
  let hunks = 0;
  for (const line of lines) {
    if (/^(diff (--git|-[a-zA-Z]+) |--- \S|\+\+\+ \S|Index: )/.test(line)) headers++;
    else if (/^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/.test(line)) hunks++;
  }
  return hunks > 0 && headers >= 2;
}

export function looksLikeHtml({ text }: Sample): boolean {
  const head = text.slice(0, 2000).trimStart().toLowerCase();
  if (!head.startsWith('<')) return false;
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return true;
  // Markdown often opens with an HTML banner; its headings and lists say it is not a page.
  if ((text.match(/^(#{1,6} |```|- |\* )/gm)?.length ?? 0) >= 3) return false;
  const tags = head.match(/<\/?(div|p|span|a|body|head|table|li|ul|script|meta|link|section|article)\b/g);
  return (tags?.length ?? 0) >= 8;
}

// Compiler and checker diagnostics: g++/clang/mypy/javac `file:line[:col]: error:` and tsc `file(l,c): error TS`.
export const DIAGNOSTIC =
  /^(\S.*?:\d+(:\d+)?: (fatal error|error|warning|note|hint)\b|\S.*?\(\d+,\d+\): (error|warning) [A-Z]+\d+|\s+File ".*", line \d+)/;
const TIMESTAMP =
  /(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\b\d{2}:\d{2}:\d{2}\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\b|^\d{6} \d{6}\b|^\d{10}\b|^\[\d+(\.\d+)?\])/;
// Levels, Android's one-letter levels, and package managers' own (`npm silly …`, `12 verbose …` in npm's debug log).
const LEVEL =
  /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|SEVERE|CRITICAL|PANIC|error|warn|info|debug|notice)\b|^[VDIWEF]\/|\s[VDIWEF]\s\S+:|\[(error|warn|info|notice|debug)\]|^(npm|\d+) (silly|verbose|timing|http|info|notice|warn|error)\b/;
// Test runners: jest/vitest/mocha/TAP marks, Python's unittest (`test_x (m.C.test_x) ... ok`, `Ran 36 tests`).
const TEST_OUTPUT =
  /^\s*(PASS|FAIL|ok|not ok|✓|✗|×|√|\d+ (passing|failing|pending)|Tests?:|=+ .* =+$|npm (ERR!|WARN)|(FAIL|ERROR): \S|Ran \d+ tests? in )|\) \.\.\. (ok|FAIL|ERROR|skipped|expected failure)$/;

/** Compiler, type-checker or test-runner output. */
export function looksLikeDiagnostics({ lines }: Sample): boolean {
  return lines.length >= 3 && (share(lines, DIAGNOSTIC) >= 0.1 || share(lines, TEST_OUTPUT) >= 0.2);
}

export function looksLikeLogs(sample: Sample): boolean {
  const { lines } = sample;
  if (lines.length < 3) return false;
  return looksLikeDiagnostics(sample) || share(lines, TIMESTAMP) >= 0.5 || share(lines, LEVEL) >= 0.3;
}

// grep/rg hits `path:line:text` / `path-line-text`, or `path:text` when the path has a slash or an extension.
// The lookaheads keep both checks linear on long lines (nested stars would backtrack quadratically).
const GREP_HIT = /^(?=[^\s:]*[/.])[^\s:]*:/;
// find/ls -l/ls -R/dpkg -l listings, bare relative paths (`find dir`), and trees (`npm ls`, `tree`) drawn
// with box or ASCII characters. A path is at most 4096 characters, as on Linux.
const LISTING =
  /^([dlcbps-][rwxsStT-]{9}[.+@]?\s|total \d+$|(?=\S*\/)\S*:$|\.{1,2}\/\S|\/\S+$|(ii|rc|hi|un|iU)\s{2}\S|\S+\s+\d+\s+\d{4}-\d{2}-\d{2}|(?=[^\s:]*\/)[\w@+~-][^\s:]{0,4095}$|[\s│|]*(├──|└──|\+--|`--) ?\S)/;

export function looksLikeGrep({ lines }: Sample): boolean {
  return lines.length >= 3 && share(lines, GREP_HIT) >= 0.6;
}

export function looksLikeListing({ lines }: Sample): boolean {
  return lines.length >= 3 && share(lines, LISTING) >= 0.6;
}

/** grep hits or a listing, unless it is compiler output (whose `file:line:` headers look like hits). */
export function looksLikeSearch(sample: Sample): boolean {
  return !looksLikeDiagnostics(sample) && (looksLikeGrep(sample) || looksLikeListing(sample));
}

const CODE_LINE =
  /^\s*(import |from \S+ import |export |package |#include|#define|using |def |class |fn |pub |func |function |const |let |var |return\b|if\b.*[:{(]$|elif |else\b|try:|except\b|with |raise |yield |for \(|while \(|public |private |protected |static |struct |enum |impl |interface |type |\/\/|\/\*|\* |#!|@\w+|self\.|[\w.]+ = )|[;{}:,(]\s*$/;

// Markdown sub-headings: documents whose bullet lists (`* Default: 2`) read like comment lines.
const MARKDOWN_HEADING = /^#{2,6} \S/;

export function looksLikeCode({ lines }: Sample): boolean {
  if (lines.length < 5) return false;
  let headings = 0;
  for (const line of lines) if (MARKDOWN_HEADING.test(line) && ++headings >= 3) return false;
  return share(lines, CODE_LINE) >= 0.3;
}
