// Logs, build and test output: repeated lines collapse into templates with counts; every error-level
// line, stack trace and diagnostic stays, with context, plus first/last lines and lines the query names.

import { looksLikeDiagnostics, looksLikeLogs, sampleOf } from '../detect.js';
import { renderKept, splitLines, template } from '../lines.js';
import { relevance, termWeights } from '../query.js';
import type { Transform } from '../types.js';
import { compressDiagnostics, diagnosticShare } from './diagnostics.js';

const LEVEL =
  /\b(FATAL|SEVERE|CRITICAL|CRIT|PANIC|EMERG|ALERT|ERROR|ERR|WARNING|WARN|NOTICE|INFO|DEBUG|TRACE|FINE|FINER|FINEST|VERBOSE)\b|\[(error|crit|alert|emerg|warn|warning|notice|info|debug)\]|^\d\d-\d\d [\d:.]+\s+\d+\s+\d+ ([VDIWEF]) |: (fatal error|error|warning|note):|\(\d+,\d+\): (error|warning) /;
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
  /^(\s+at |\s+\.\.\. \d+ more|Caused by:|\s+File "|\s+\d* \| |\s+\||\s+\^|\s{4,}\S|\s+from \S+:\d+)/;

/** 3 = error, 2 = warning/note, 1 = trouble words without a level, 0 = routine. */
export function severity(line: string): number {
  const m = LEVEL.exec(line);
  if (m) {
    const word = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '').toUpperCase().replace('FATAL ERROR', 'FATAL');
    if (ERROR_WORDS.has(word)) return 3;
    if (WARN_WORDS.has(word)) return 2;
    return EXCEPTION.test(line) ? 3 : 0;
  }
  if (EXCEPTION.test(line)) return 3;
  return TROUBLE.test(line) ? 1 : 0;
}

interface Group {
  /** Distinct quoted names seen in the template's lines (capped), listed with the pattern. */
  names: Set<string>;
  count: number;
  first: number;
  last: number;
  kept: number;
  matched: number;
}

/** How many lines of one template each severity keeps (beyond the first and last occurrence). */
const KEEP_PER_TEMPLATE = [1, 2, 1, 1];
const TRACE_LINES = 40;
const EXCERPTS_WITH_CONTEXT = 6;
const QUERY_PER_TEMPLATE = 2;
const PATTERNS_LISTED = 12;
const NAMES_LISTED = 12;
// Quoted names ('X', "X", ‘X’) vary between otherwise identical diagnostics and log lines.
const QUOTED = /'[^'\s]{1,80}'|"[^"\s]{1,80}"|‘[^’]{1,80}’/g;

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
    const levels: number[] = new Array(n);
    let excerpts = 0;

    for (let i = 0; i < n; i++) {
      const line = lines[i] as string;
      const key = template(line.replace(QUOTED, "'#'"));
      keys[i] = key;
      let group = groups.get(key);
      if (!group) {
        group = { names: new Set(), count: 0, first: i, last: i, kept: 0, matched: 0 };
        groups.set(key, group);
      }
      group.count++;
      group.last = i;
      if (group.names.size < NAMES_LISTED) for (const m of line.matchAll(QUOTED)) group.names.add(m[0]);
      const level = severity(line);
      levels[i] = level;
      if (group.kept < (KEEP_PER_TEMPLATE[level] ?? 1) && line.trim() !== '') {
        keep[i] = true;
        group.kept++;
        if (level === 3 && excerpts < EXCERPTS_WITH_CONTEXT) {
          excerpts++;
          keepContext(lines, keep, i);
        } else if (level === 3) {
          // Later errors keep what says where they came from (include chains) but not their excerpts.
          if (i > 0 && /^\s*(In file included from|from )/.test(lines[i - 1] as string)) keep[i - 1] = true;
          if (i + 1 < n && /^\s*(Caused by|\s+at )/.test(lines[i + 1] as string)) keepContext(lines, keep, i);
        }
      }
    }
    for (const group of groups.values()) keep[group.last] = true;
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
    const patterns = [...groups.entries()]
      .filter(([, g]) => g.count >= 3 && g.count > g.kept + 1)
      .sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first)
      .slice(0, PATTERNS_LISTED)
      .map(([key, g]) => {
        const names = g.names.size > 1 ? ` names: ${[...g.names].join(', ')}` : '';
        return `  ${g.count}× ${clip(key.trim(), 160)} (lines ${g.first + 1}-${g.last + 1})${clip(names, 300)}`;
      });
    const out =
      patterns.length > 0
        ? `${rendered.text}\nRepeated lines (# = varying value):\n${patterns.join('\n')}`
        : rendered.text;
    return { text: out, summary: `${rendered.omitted} of ${n} log lines omitted` };
  },
};

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

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
