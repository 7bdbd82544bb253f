// Unified diffs (git diff, diff -ru): file and hunk headers and every changed line stay, unchanged context
// beyond one line next to a change becomes counts; generated files (lockfiles, maps, minified) become counts.

import { looksLikeDiff } from '../detect.js';
import { splitLines } from '../lines.js';
import type { Transform } from '../types.js';

const FILE_START = /^(diff |Index: |Only in |Binary files )/;
const HEADER =
  /^(--- |\+\+\+ |index |new file mode|deleted file mode|old mode|new mode|similarity index|rename (from|to)|copy (from|to)|={10,})/;
const HUNK = /^@@ /;
const GENERATED =
  /(\.map|\.min\.(js|css)|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|Pipfile\.lock|go\.sum|composer\.lock|Gemfile\.lock|\.snap)(\s|$)/;
const HUGE_LINE = 2000;
const LONG_LINE = 400;
const CONTEXT = 1;

interface FileSection {
  header: string[];
  body: string[];
}

function sections(lines: readonly string[]): FileSection[] {
  const out: FileSection[] = [];
  let current: FileSection | undefined;
  lines.forEach((line, i) => {
    // A bare `--- a` + `+++ b` pair starts a file in `diff -u` output that has no `diff` line.
    const bareStart =
      line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && current?.body.length !== 0;
    const startsFile = FILE_START.test(line) || bareStart;
    if (startsFile || !current) {
      current = { header: [], body: [] };
      out.push(current);
    }
    if (current.body.length === 0 && (FILE_START.test(line) || HEADER.test(line))) current.header.push(line);
    else current.body.push(line);
  });
  return out;
}

function isGenerated(section: FileSection): boolean {
  return section.header.some((h) => GENERATED.test(h)) || section.body.some((l) => l.length > HUGE_LINE);
}

function trimHunks(body: readonly string[]): { lines: string[]; dropped: number } {
  const out: string[] = [];
  let dropped = 0;
  let i = 0;
  while (i < body.length) {
    const line = body[i] as string;
    if (HUNK.test(line) || line.startsWith('+') || line.startsWith('-') || line.startsWith('\\')) {
      out.push(line.length > LONG_LINE ? `${line.slice(0, 200)}… (${line.length - 200} more chars)` : line);
      i++;
      continue;
    }
    // A run of unchanged context: keep CONTEXT lines next to each change.
    let end = i;
    while (end < body.length && !isChange(body[end] as string)) end++;
    const run = body.slice(i, end);
    const afterChange = i > 0 && isChange(body[i - 1] as string) && !HUNK.test(body[i - 1] as string);
    const beforeChange = end < body.length && !HUNK.test(body[end] as string);
    const head = afterChange ? CONTEXT : 0;
    const tail = beforeChange ? CONTEXT : 0;
    if (run.length <= head + tail + 1) out.push(...run);
    else {
      out.push(...run.slice(0, head));
      const cut = run.length - head - tail;
      dropped += cut;
      if (cut >= 3) out.push(`[… ${cut} unchanged lines]`);
      out.push(...run.slice(run.length - tail));
    }
    i = end;
  }
  return { lines: out, dropped };
}

function isChange(line: string): boolean {
  return HUNK.test(line) || line.startsWith('+') || line.startsWith('-') || line.startsWith('\\');
}

/** `--- a/x` and `+++ b/x` repeat the paths a `diff --git a/x b/x` or `diff -ru x y` line already names. */
function essentialHeader(header: readonly string[]): string[] {
  const named = header.some((h) => /^diff (--git|-\w+) \S+ \S+/.test(h));
  return named ? header.filter((h) => !/^(--- |\+\+\+ )/.test(h) || /\/dev\/null/.test(h)) : [...header];
}

/** `diff -r` lists each file present on one side as `Only in dir: name`; one line per directory says it all. */
function groupOnlyIn(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const m = /^Only in (.+): (.+)$/.exec(line);
    const previous = out[out.length - 1] ?? '';
    if (m && previous.startsWith(`Only in ${m[1]}: `)) out[out.length - 1] = `${previous}, ${m[2]}`;
    else out.push(line);
  }
  return out;
}

export const diff: Transform = {
  name: 'diff',
  kinds: ['diff'],
  detect: looksLikeDiff,
  compress(text) {
    const lines = splitLines(text);
    const out: string[] = [];
    let dropped = 0;
    let summarised = 0;
    for (const section of sections(lines)) {
      out.push(...essentialHeader(section.header));
      if (section.body.length === 0) continue;
      if (isGenerated(section)) {
        const added = section.body.filter((l) => l.startsWith('+')).length;
        const removed = section.body.filter((l) => l.startsWith('-')).length;
        out.push(`[… generated file: ${removed} lines removed, ${added} added]`);
        dropped += section.body.length;
        summarised++;
        continue;
      }
      const trimmed = trimHunks(section.body);
      for (const line of trimmed.lines) out.push(line);
      dropped += trimmed.dropped;
    }
    const result = groupOnlyIn(out).join('\n');
    if (result.length >= text.length * 0.97) return undefined;
    const parts = [`${dropped} diff lines omitted`];
    if (summarised) parts.push(`${summarised} generated files summarised`);
    return { text: result, summary: parts.join(', ') };
  },
};
