// Prose and reference text (man pages, READMEs, changelogs): extractive. Headings, option terms and
// the paragraphs that score best against the query (BM25, position, novelty) stay in original order.

import { splitLines } from '../lines.js';
import type { Query } from '../query.js';
import type { Transform } from '../types.js';

interface Block {
  start: number;
  end: number;
  text: string;
  section: number;
}

const MAX_BLOCK_LINES = 8;
const K1 = 1.2;
const B = 0.75;

const MD_HEADING = /^#{1,6} \S/;
const UNDERLINE = /^\s*(=+|-+|~+)\s*$/;
const CAPS_HEADING = /^[A-Z][A-Z0-9 ,/&()-]{2,60}$/;
const OPTION_TERM = /^\s{0,12}(-{1,2}[A-Za-z0-9?][\w-]*|[A-Za-z][\w-]*\s*=)[^\n]{0,80}$/;
const VERSION_HEADING = /^\s{0,4}v?\d+\.\d+(\.\d+)?\S*(\s+\(.*\)|\s+[-–]\s+\S.*)?:?\s*$/;

/** Lines that give the document its structure: headings, underlines, option and version terms. */
function isHeading(lines: readonly string[], i: number): boolean {
  const line = lines[i] as string;
  if (line.trim() === '' || line.length > 100) return false;
  if (MD_HEADING.test(line) || CAPS_HEADING.test(line) || VERSION_HEADING.test(line)) return true;
  const next = lines[i + 1] ?? '';
  if (UNDERLINE.test(next) && line.trim().length > 0 && !UNDERLINE.test(line)) return true;
  if (UNDERLINE.test(line) && i > 0 && (lines[i - 1] as string).trim() !== '') return true;
  return OPTION_TERM.test(line) && indentOf(next) > indentOf(line);
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Paragraphs (blank-line separated, code fences whole, long ones cut into pieces). */
function blocks(lines: readonly string[], headings: readonly boolean[]): Block[] {
  const out: Block[] = [];
  let section = -1;
  let start = -1;
  let fence = false;
  const close = (end: number) => {
    if (start < 0) return;
    for (let s = start; s < end; s += MAX_BLOCK_LINES) {
      const e = Math.min(end, s + MAX_BLOCK_LINES);
      out.push({ start: s, end: e, text: lines.slice(s, e).join('\n'), section });
    }
    start = -1;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (headings[i]) {
      close(i);
      // An underline belongs to the title above it, which stays the section's name.
      if (!UNDERLINE.test(line)) section = i;
      continue;
    }
    if (!fence && line.trim() === '') {
      close(i);
      continue;
    }
    if (start < 0) start = i;
  }
  close(lines.length);
  return out;
}

function occurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length))
    count++;
  return count;
}

/** BM25 score of each text against the query terms. */
export function bm25(texts: readonly string[], query: Query): number[] {
  const lowered = texts.map((t) => t.toLowerCase());
  const avg = lowered.reduce((sum, t) => sum + t.length, 0) / Math.max(1, lowered.length);
  const scores = new Array<number>(texts.length).fill(0);
  for (const term of query.terms) {
    const tfs = lowered.map((t) => occurrences(t, term));
    const df = tfs.filter((tf) => tf > 0).length;
    if (df === 0) continue;
    const idf = Math.log(1 + (texts.length - df + 0.5) / (df + 0.5));
    tfs.forEach((tf, i) => {
      if (tf === 0) return;
      const norm = 1 - B + (B * (lowered[i] as string).length) / Math.max(1, avg);
      scores[i] = (scores[i] as number) + (idf * tf * (K1 + 1)) / (tf + K1 * norm);
    });
  }
  return scores;
}

function budgetFor(size: number): number {
  return Math.min(size * 0.25, 1000 + 45 * Math.sqrt(size));
}

export const text: Transform = {
  name: 'text',
  kinds: ['text', 'html'],
  detect: () => true,
  compress(source, ctx) {
    if (source.length < 1500) return undefined;
    const lines = splitLines(source);
    const headings = lines.map((_, i) => isHeading(lines, i));
    const units = blocks(lines, headings);
    if (units.length < 3) return undefined;
    const budget = budgetFor(source.length);
    const keep: boolean[] = new Array(lines.length).fill(false);
    let spent = 0;

    const headingLines = headings.flatMap((h, i) => (h ? [i] : []));
    const headingScores = bm25(
      headingLines.map((i) => lines[i] as string),
      ctx.query,
    );
    const sectionScore = new Map<number, number>();
    headingLines.forEach((line, k) => {
      sectionScore.set(line, headingScores[k] as number);
    });
    const headingCost = headingLines.reduce((sum, i) => sum + (lines[i] as string).length + 1, 0);
    // Structure is cheap and tells the model what else exists; when it is not, keep the relevant part.
    const keepAllHeadings = headingCost <= budget * 0.35;
    for (const i of headingLines) {
      if (keepAllHeadings || (sectionScore.get(i) ?? 0) > 0) {
        keep[i] = true;
        spent += (lines[i] as string).length + 1;
      }
    }

    const scores = bm25(
      units.map((u) => u.text),
      ctx.query,
    );
    const best = Math.max(0, ...scores);
    const ranked = units
      .map((unit, k) => {
        const own = scores[k] as number;
        const inherited = 0.6 * (sectionScore.get(unit.section) ?? 0);
        // The first paragraph of a section introduces it; the first of the document introduces everything.
        const lead = k === 0 ? best * 0.5 + 0.1 : units[k - 1]?.section !== unit.section ? 0.05 : 0;
        return { unit, score: own + inherited + lead };
      })
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score || a.unit.start - b.unit.start);
    const seen = new Set<string>();
    for (const { unit } of ranked) {
      const cost = unit.text.length + 1;
      if (spent + cost > budget) continue;
      const norm = unit.text.replace(/\s+/g, ' ').trim();
      if (seen.has(norm)) continue;
      seen.add(norm);
      spent += cost;
      for (let i = unit.start; i < unit.end; i++) keep[i] = true;
      // A kept paragraph keeps the heading that says what it belongs to.
      if (unit.section >= 0 && !keep[unit.section]) {
        for (const i of [unit.section, unit.section + 1]) {
          if (i === unit.section || UNDERLINE.test(lines[i] ?? '')) {
            keep[i] = true;
            spent += (lines[i] as string).length + 1;
          }
        }
      }
    }

    const out: string[] = [];
    let gap = 0;
    let omitted = 0;
    for (let i = 0; i < lines.length; i++) {
      // A lone short line costs no more than the note that would replace it.
      if (!keep[i] && keep[i - 1] && keep[i + 1] && (lines[i] as string).length <= 60) keep[i] = true;
      if (keep[i]) {
        if (gap > 0) out.push(`[… ${gap} lines]`);
        gap = 0;
        out.push(lines[i] as string);
      } else if ((lines[i] as string).trim() !== '') {
        gap++;
        omitted++;
      }
    }
    if (gap > 0) out.push(`[… ${gap} lines]`);
    if (omitted === 0) return undefined;
    return { text: out.join('\n'), summary: `${omitted} of ${lines.length} lines of text omitted` };
  },
};
