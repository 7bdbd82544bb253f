// Search results and listings: grep/rg `path:line:text` hits grouped by file, and find/ls/dpkg
// listings grouped by directory; each group keeps its best lines for the query, the rest are counted.

import { looksLikeSearch } from '../detect.js';
import { splitLines } from '../lines.js';
import { relevance, termWeights } from '../query.js';
import type { Transform } from '../types.js';

interface Group {
  name: string;
  lines: number[];
}

const HIT = /^([^\s:]*[/.][^\s:]*?)([:-])(\d+)\2/;
const HIT_NO_LINE = /^([^\s:]*[/.][^\s:]*):/;
const DIR_HEADER = /^(\S.*):$/;
const PATH_IN_LINE = /(\S*\/)[^/\s]+\/?$/;

const PER_GROUP = 2;
const PER_MATCHING_GROUP = 6;
const MATCHING_LINES = 40;
const NEIGHBOURS = 4;
const NEAR_LINES = 6;

/** The group (file or directory) a line belongs to, or undefined for a line outside any group. */
function groupOf(line: string, currentDir: string | undefined): string | undefined {
  const hit = HIT.exec(line) ?? HIT_NO_LINE.exec(line);
  if (hit) return hit[1];
  const path = PATH_IN_LINE.exec(line);
  if (path) return path[1];
  return currentDir;
}

export const search: Transform = {
  name: 'search',
  detect: looksLikeSearch,
  compress(text, ctx) {
    const lines = splitLines(text);
    const n = lines.length;
    if (n < 8) return undefined;
    const keep: boolean[] = new Array(n).fill(false);
    const groups = new Map<string, Group>();
    let currentDir: string | undefined;
    for (let i = 0; i < n; i++) {
      const line = lines[i] as string;
      const header = DIR_HEADER.exec(line);
      if (header && !HIT.test(line)) {
        // `ls -R` directory headers give the structure: always kept.
        currentDir = header[1];
        keep[i] = true;
        continue;
      }
      if (/^total \d+$/.test(line) || line.trim() === '') continue;
      const name = groupOf(line, currentDir) ?? '';
      let group = groups.get(name);
      if (!group) {
        group = { name, lines: [] };
        groups.set(name, group);
      }
      group.lines.push(i);
    }
    // Lines outside any group (headers of dpkg -l, notes) are few and frame the rest.
    const loose = groups.get('');
    if (loose) for (const i of loose.lines.slice(0, 6)) keep[i] = true;

    // A hit is ranked by what it says, not by its path: the path is the same for a whole file.
    const contents = lines.map((line) => line.replace(HIT, '').replace(HIT_NO_LINE, ''));
    const weights = termWeights(contents, ctx.query);
    const scores = contents.map((content) => relevance(content, weights));
    const best = Math.max(0, ...scores);
    const ranked = scores
      .map((score, i) => [score, i] as const)
      .filter(([score]) => score > 0 && score >= best * 0.3)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, MATCHING_LINES);
    for (const [, i] of ranked) keep[i] = true;
    // Hits a few lines apart in the same file are one piece of code: keep the neighbours of the best.
    for (const [, i] of ranked.slice(0, 5)) {
      const at = HIT.exec(lines[i] as string);
      if (!at) continue;
      for (let j = i - NEIGHBOURS; j <= i + NEIGHBOURS; j++) {
        const near = HIT.exec(lines[j] ?? '');
        if (near && near[1] === at[1] && Math.abs(Number(near[3]) - Number(at[3])) <= NEAR_LINES)
          keep[j] = true;
      }
    }

    for (const group of groups.values()) {
      if (group.name === '') continue;
      const groupScore = relevance(group.name, weights);
      const cap = groupScore > 0 ? PER_MATCHING_GROUP : PER_GROUP;
      const byScore = group.lines
        .slice()
        .sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b)
        .slice(0, cap);
      for (const i of byScore) keep[i] = true;
    }
    if (n > 0) keep[n - 1] = true;

    const out: string[] = [];
    let omitted = 0;
    const pending = new Map<string, number[]>();
    const flush = () => {
      for (const [name, dropped] of pending) out.push(omissionNote(name, dropped, lines));
      pending.clear();
    };
    let currentGroup: string | undefined;
    currentDir = undefined;
    for (let i = 0; i < n; i++) {
      const line = lines[i] as string;
      const header = DIR_HEADER.exec(line);
      if (header && !HIT.test(line)) currentDir = header[1];
      if (keep[i]) {
        const name = groupOf(line, undefined);
        if (name !== currentGroup) flush();
        currentGroup = name;
        out.push(line);
        continue;
      }
      if (/^total \d+$/.test(line) || line.trim() === '') {
        omitted++;
        continue;
      }
      omitted++;
      const name = groupOf(line, currentDir) ?? '';
      const list = pending.get(name) ?? [];
      list.push(i);
      pending.set(name, list);
    }
    flush();
    if (omitted === 0) return undefined;
    return { text: out.join('\n'), summary: `${omitted} of ${n} lines omitted` };
  },
};

/** One line saying what was dropped from a group: line numbers for grep hits, names for listings. */
function omissionNote(group: string, dropped: readonly number[], lines: readonly string[]): string {
  const labels: string[] = [];
  for (const i of dropped) {
    const line = lines[i] as string;
    const hit = HIT.exec(line);
    if (hit) labels.push(hit[3] as string);
    else {
      const name = /([^/\s]+\/?)$/.exec(line);
      if (name) labels.push(name[1] as string);
    }
  }
  const shown = labels.slice(0, 12).join(', ');
  const more = labels.length > 12 ? `, … +${labels.length - 12}` : '';
  const where = group ? ` in ${group}` : '';
  const what = dropped.some((i) => HIT.test(lines[i] as string)) ? 'matches' : 'entries';
  return `[… ${dropped.length} more ${what}${where}${shown ? `: ${shown}${more}` : ''}]`;
}
