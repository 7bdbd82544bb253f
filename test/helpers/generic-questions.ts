// The engine with a generic request instead of an item's own question: what an agent sends when it does
// not yet know what to look for. The facts a tool output states by its structure — errors, statuses, exit
// lines, totals — must survive it; the rest of an item's needles depend on what was asked.

import type { CorpusItem } from './corpus.js';

/** Requests that name nothing in particular. */
export const GENERIC_QUESTIONS = ['find what is broken', 'what went wrong here', 'summarise this'];

// Outputs whose structure says what went wrong; in a grep, a diff, prose or code a line mentioning an
// error is only a line.
const STRUCTURED = new Set(['logs', 'build', 'json', 'shell']);

// A line that states an outcome: an error, warning or failure, an HTTP status of 4xx/5xx, an exit or error
// code, a total or a test tally.
const STRUCTURAL =
  /\b(errors?|ERR!|fatal|fail(ed|ures?|s)?|exceptions?|Traceback|panic|severe|critical|warn(ing)?s?|denied|refused|forbidden|abnormal(ly)?|cannot|could not|unable|not found|invalid|UNMET|not ok)\b|\w(Error|Exception):|\bexit(ed)?\b\D{0,20}\d|\bcode [A-Z][A-Z_]{2,}|\b(status|default|HTTP\/\d(\.\d)?"?)\s+[45]\d\d\b|^\s*(Found|Ran) \d+|\b\d+ (errors?|warnings?|failed|passed|tests?|rejected)\b|^# (pass|fail|tests) |only showing/i;

/** The line of `text` a needle sits on (its first occurrence), or the needle's first line. */
function lineOf(text: string, needle: string): string {
  const at = text.indexOf(needle);
  if (at < 0) return needle.split('\n', 1)[0] ?? '';
  const start = text.lastIndexOf('\n', at) + 1;
  const end = text.indexOf('\n', at + needle.length);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The needles of an item that are structural facts: on a line that states an outcome, in an output that has a structure. */
export function structuralNeedles(item: CorpusItem): string[] {
  if (!STRUCTURED.has(item.category)) return [];
  return item.needles.filter((needle) => STRUCTURAL.test(lineOf(item.text, needle)));
}

/** How many structural needles `compress` keeps for each generic question, and which it loses. */
export function genericRetention(
  items: readonly CorpusItem[],
  compress: (text: string, question: string) => string,
): { question: string; kept: number; total: number; missing: string[] }[] {
  return GENERIC_QUESTIONS.map((question) => {
    let kept = 0;
    let total = 0;
    const missing: string[] = [];
    for (const item of items) {
      const needles = structuralNeedles(item);
      if (needles.length === 0) continue;
      const out = compress(item.text, question);
      for (const needle of needles) {
        total++;
        if (out.includes(needle)) kept++;
        else missing.push(`${item.name}: ${needle}`);
      }
    }
    return { question, kept, total, missing };
  });
}
