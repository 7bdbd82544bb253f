// Logs, build and test output: repeated lines collapse into templates with counts; every error-level
// line, stack trace and diagnostic stays, with context, plus first/last lines, exit and summary lines,
// the failing tests, and lines the query names. HTTP statuses and exit codes are never masked.

import { looksLikeDiagnostics, looksLikeLogs, sampleOf } from '../detect.js';
import { logTemplate, renderKept, splitLines } from '../lines.js';
import { relevance, termWeights } from '../query.js';
import type { Transform } from '../types.js';
import { compressDiagnostics, diagnosticShare } from './diagnostics.js';
import { clip, moreNote, nameList } from './notes.js';

const LEVEL =
  /\b(FATAL|SEVERE|CRITICAL|CRIT|PANIC|EMERG|ALERT|ERROR|ERR|WARNING|WARN|NOTICE|INFO|DEBUG|TRACE|FINE|FINER|FINEST|VERBOSE)\b|\[(error|crit|alert|emerg|warn|warning|notice|info|debug)\]|^\d\d-\d\d [\d:.]+\s+\d+\s+\d+ ([VDIWEF]) |: (fatal error|error|warning|note):|\(\d+,\d+\): (error|warning) |^(?:npm|\d+) (error|warn|notice|http|info|verbose|silly|timing)\b/;
const ERROR_WORDS = new Set([
  'FATAL',
  'SEVERE',
  'CRITICAL',
  'CRIT',
  'PANIC',
  'EMERG',
  'ALERT',
  'ERROR',
  'ERR',
  'E',
  'F',
]);
const WARN_WORDS = new Set(['WARNING', 'WARN', 'W', 'NOTE']);
const EXCEPTION =
  /(^Traceback \(most recent call last\)|\b\w+(Exception|Error)\b:|^\s*(npm ERR!|FAIL\b|✗|×|not ok\b)|\bpanic:)/;
const TROUBLE =
  /\b(fail(ed|ure|s)?|denied|refused|unable|cannot|can not|could not|not found|timed? ?out|invalid|unexpected|abnormal|corrupt|lost|broken|break-in|unreachable|rejected|killed|abort(ed)?|segfault|overflow)\b/i;
// Lines that continue the diagnostic or exception above them.
const CONTINUATION =
  /^(\s+at |\s+\.\.\. \d+ more|Caused by:|\s+File "|\s+\d* \| |\s+\||\s+\^|\s{4,}\S|\s+from \S+:\d+|npm (verbose|error) stack\s)/;
// How a run ended: exit codes and statuses, and the error code a package manager names.
const EXIT =
  /\b(exit(ed)?( with)?( code| status)?[ :=]+\d+|exit code \d+|process exited|returned non-zero exit status|command failed|ELIFECYCLE)\b|^(npm|\d+) (verbose|error) (exit|code) |^npm ERR! code /i;
// Totals a run prints once: test tallies, error counts, a job's closing line.
const SUMMARY =
  /^\s*(Test Files|Tests|Test Suites|Suites|Snapshots)\s+\d+|^# (tests|suites|pass|fail|cancelled|skipped|todo) \d+|^Ran \d+ tests? in |^(FAILED|OK) \(|^OK$|^\d+ (passing|failing|pending|passed|failed|errors?|warnings?)\b|^Found \d+ errors?|\b(finished|completed|succeeded|failed) (in|after|with)\b|\b(finished|completed|summary):/i;
// One line per failing test, each naming a different test: every one stays.
const TEST_FAILURE = /^\s*(FAIL(ED)?\b|ERROR: |not ok \d+|✗|×|\d+\) )/;
// Combined and Common Log Format (Apache, nginx, http.server): client, identity, user, time, request, status, size.
const ACCESS = /^\S+ \S+ \S+ \[[^\]]*\] "([A-Z]+) (\S+)[^"]*" (\d{3}) /;

/** 3 = error, 2 = warning/note, 1 = trouble words without a level, 0 = routine. */
export function severity(line: string): number {
  const m = LEVEL.exec(line);
  if (m) {
    const word = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6] ?? '')
      .toUpperCase()
      .replace('FATAL ERROR', 'FATAL');
    if (ERROR_WORDS.has(word)) return 3;
    if (WARN_WORDS.has(word)) return 2;
    if (EXCEPTION.test(line)) return 3;
    return TROUBLE.test(line) ? 1 : 0;
  }
  if (EXCEPTION.test(line)) return 3;
  const access = ACCESS.exec(line);
  if (access) return Number(access[3]) >= 500 ? 3 : Number(access[3]) >= 400 ? 1 : 0;
  return TROUBLE.test(line) ? 1 : 0;
}

interface Group {
  /** Distinct quoted names seen in the template's lines (capped), listed with the pattern. */
  names: Set<string>;
  /** Names seen beyond the cap. */
  moreNames: number;
  count: number;
  first: number;
  last: number;
  kept: number;
  matched: number;
}

/** How many lines of one template each severity keeps (beyond the first and last occurrence). */
const KEEP_PER_TEMPLATE = [1, 2, 1, 1];
/** An error template this rare is a handful of distinct failures: each of its lines stays. */
const FEW_ERRORS = 4;
/** Exit, summary and failing-test lines of one template kept. */
const PINNED_PER_TEMPLATE = 40;
const TRACE_LINES = 40;
const EXCERPTS_WITH_CONTEXT = 6;
const QUERY_PER_TEMPLATE = 2;
/**
 * Routine kinds of line seen once or twice are shown for this many kinds, or one per `LINES_PER_RARE_KIND` lines
 * of a longer log; past it (a log of many kinds, where one example of each would keep most of it) they are
 * counted instead.
 */
const RARE_ROUTINE_SHOWN = 24;
const LINES_PER_RARE_KIND = 20;
/** In a log of many kinds, a routine kind shows its last line too when seen this many times. */
const DIVERSE_LAST_SHOWN = 10;
const PATTERNS_LISTED = 16;
const NAMES_LISTED = 12;
// Quoted names ('X', "X", ‘X’) vary between otherwise identical diagnostics and log lines.
const QUOTED = /'[^'\s]{1,80}'|"[^"\s]{1,80}"|‘[^’]{1,80}’/g;

// Tokens that hold a slash (`node_modules/zod`, `reifyNode:node_modules/ws`) name one of many things of a
// kind; the scan starts at a token's start only, so it stays linear on long lines.
const SLASHED = /(?<!\S)[^\s/]*\/\S*/g;

// A passing test, whatever its name (TAP, vitest/jest marks, unittest's `... ok`), and TAP's subtest titles.
const PASSING = /^(\s*)(ok \d+ - |✓ |√ |# Subtest: )|\) \.\.\. ok$/;

/**
 * The template a line is grouped by: an access-log request by method, path and status, a passing test as
 * one of many at its depth, others by `logTemplate`.
 */
function keyOf(line: string, routine: boolean): string {
  const passing = PASSING.exec(line);
  if (passing) {
    const mark = (passing[2] ?? '... ok').replace(/\d+/, '#');
    return `${passing[1] ?? ''}${mark}… (${mark === '# Subtest: ' ? "a test's title" : 'a passing test'})`;
  }
  const access = ACCESS.exec(line);
  if (access) {
    const [path, query] = (access[2] as string).split('?', 2);
    const shape = (path as string).replace(/\b[0-9a-f]{8,}\b|\d+/gi, '#');
    const params = query === undefined ? '' : `?${query.replace(/=[^&]*/g, '=#')}`;
    return `"${access[1]} ${shape}${params}" ${access[3]}`;
  }
  const key = logTemplate(line.replace(QUOTED, "'#'"));
  // Errors, warnings and failures keep the paths they name apart: `Error loading ./a` and `./b` are two.
  return routine ? key.replace(SLASHED, '#') : key;
}

export const logs: Transform = {
  name: 'logs',
  kinds: ['logs'],
  detect: looksLikeLogs,
  compress(text, ctx) {
    const lines = splitLines(text);
    const n = lines.length;
    if (n < 12) return undefined;
    // Compiler output groups by diagnostic, not by line: its excerpts and carets belong to an error.
    if (looksLikeDiagnostics(sampleOf(text)) && diagnosticShare(lines) >= 0.15) {
      const grouped = compressDiagnostics(text, ctx.query);
      if (grouped) return grouped;
    }
    const keep: boolean[] = new Array(n).fill(false);
    const groups = new Map<string, Group>();
    const keys: string[] = new Array(n);
    const pinned = new Map<string, number>();
    const statuses = new Map<string, number>();
    let excerpts = 0;

    const levels: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const line = lines[i] as string;
      levels[i] = severity(line);
      const key = keyOf(line, levels[i] === 0);
      keys[i] = key;
      let group = groups.get(key);
      if (!group) {
        group = { names: new Set(), moreNames: 0, count: 0, first: i, last: i, kept: 0, matched: 0 };
        groups.set(key, group);
      }
      group.count++;
      group.last = i;
      for (const m of line.matchAll(QUOTED)) {
        if (group.names.has(m[0])) continue;
        if (group.names.size < NAMES_LISTED) group.names.add(m[0]);
        else group.moreNames++;
      }
      const status = ACCESS.exec(line)?.[3];
      if (status) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    // The routine kinds seen once or twice past the first few: counted, not shown.
    const counted = new Set<Group>();
    let rareShown = 0;
    for (let i = 0; i < n; i++) {
      const group = groups.get(keys[i] as string) as Group;
      if (levels[i] !== 0 || group.count > 2 || group.first !== i) continue;
      if (rareShown < Math.max(RARE_ROUTINE_SHOWN, n / LINES_PER_RARE_KIND)) rareShown++;
      else counted.add(group);
    }
    for (let i = 0; i < n; i++) {
      const line = lines[i] as string;
      const key = keys[i] as string;
      const group = groups.get(key) as Group;
      if (line.trim() === '') continue;
      if (EXIT.test(line) || SUMMARY.test(line) || TEST_FAILURE.test(line)) {
        const seen = pinned.get(key) ?? 0;
        if (seen < PINNED_PER_TEMPLATE) keep[i] = true;
        pinned.set(key, seen + 1);
      }
      const level = levels[i] as number;
      const quota = counted.has(group)
        ? 0
        : level === 3 && group.count <= FEW_ERRORS
          ? FEW_ERRORS
          : (KEEP_PER_TEMPLATE[level] ?? 1);
      if (group.kept < quota) {
        keep[i] = true;
        group.kept++;
        // The first error of a template shows its trace; the same trace under its repeats says nothing new.
        if (level === 3 && group.kept === 1 && excerpts < EXCERPTS_WITH_CONTEXT) {
          excerpts++;
          keepContext(lines, keep, i);
        } else if (level === 3) {
          // Later errors keep what says where they came from (include chains) but not their excerpts.
          if (i > 0 && /^\s*(In file included from|from )/.test(lines[i - 1] as string)) keep[i - 1] = true;
          const traced = i + 1 < n && /^\s*(Caused by|\s+at )/.test(lines[i + 1] as string);
          if (traced && group.kept === 1) keepContext(lines, keep, i);
        }
      }
    }
    // A log of many kinds shows the last line of a routine kind only where it repeats enough to have moved on.
    const diverse = counted.size > 0;
    for (const group of groups.values()) {
      if (counted.has(group)) continue;
      if (diverse && levels[group.last] === 0 && group.count < DIVERSE_LAST_SHOWN) continue;
      keep[group.last] = true;
    }
    for (let i = 0; i < Math.min(2, n); i++) keep[i] = true;
    for (let i = Math.max(0, n - 3); i < n; i++) keep[i] = true;

    const weights = termWeights(lines, ctx.query);
    if (weights.size > 0) {
      const scores = lines.map((line) => relevance(line, weights));
      const best = scores.reduce((a, b) => Math.max(a, b), 0);
      if (best > 0) {
        for (let i = 0; i < n; i++) {
          const group = groups.get(keys[i] as string) as Group;
          if ((scores[i] as number) >= best * 0.6 && group.matched < QUERY_PER_TEMPLATE) {
            if (!keep[i]) group.matched++;
            keep[i] = true;
          }
        }
      }
    }

    const rendered = renderKept(lines, keep);
    if (rendered.omitted === 0) return undefined;
    const repeated = [...groups.entries()]
      .filter(([, g]) => g.count >= 3 && g.count > g.kept + 1)
      .sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first);
    const patterns = repeated.slice(0, PATTERNS_LISTED).map(([key, g]) => {
      // An access log's quoted fields are referers and user agents, not what a request was about.
      const named = g.names.size > 1 && !key.startsWith('"');
      const names = named ? ` names: ${nameList([...g.names], g.moreNames, 300)}` : '';
      return `  ${g.count}× ${clip(key.trim(), 160)} (lines ${g.first + 1}-${g.last + 1})${names}`;
    });
    const hidden = repeated.slice(PATTERNS_LISTED);
    if (hidden.length > 0)
      patterns.push(
        `  ${moreNote(
          hidden.length,
          'pattern',
          hidden.reduce((sum, [, g]) => sum + g.count, 0),
          'line',
        )}`,
      );
    const sections = [rendered.text];
    if (counted.size > 0) {
      let unseen = 0;
      const kinds = new Set<Group>();
      for (let i = 0; i < n; i++) {
        const group = groups.get(keys[i] as string) as Group;
        if (keep[i] || !counted.has(group)) continue;
        unseen++;
        kinds.add(group);
      }
      if (unseen > 0)
        sections.push(
          `Routine lines of kinds seen once or twice: ${unseen} not shown, of ${kinds.size} kinds (headroom_retrieve with a query for their words)`,
        );
    }
    if (statuses.size > 1) sections.push(`HTTP statuses: ${counts(statuses)}`);
    if (patterns.length > 0) sections.push(`Repeated lines (# = varying value):\n${patterns.join('\n')}`);
    return { text: sections.join('\n'), summary: `${rendered.omitted} of ${n} log lines omitted` };
  },
};

/** `200×2750, 404×46, 500×6`: values by how often they occur, then by value. */
function counts(values: ReadonlyMap<string, number>): string {
  return [...values]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([value, count]) => `${value}×${count}`)
    .join(', ');
}

/** Keep a line's neighbourhood: the line before, and what continues it (trace or excerpt) after. */
function keepContext(lines: readonly string[], keep: boolean[], i: number): void {
  let start = i - 1;
  while (start >= 0 && i - start <= 6 && /^\s*(In file included from|from )/.test(lines[start] as string))
    start--;
  for (let j = Math.max(0, start); j < i; j++) keep[j] = true;
  let j = i + 1;
  while (j < lines.length && j - i <= TRACE_LINES && CONTINUATION.test(lines[j] as string)) keep[j++] = true;
  if (j < lines.length && j === i + 1) keep[j] = true;
}
