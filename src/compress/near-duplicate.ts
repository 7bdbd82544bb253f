// Near-duplicate outputs (a test run again, a status polled twice): the lines that changed since an
// earlier output, as a compact line diff. Pure and deterministic; looks only backward.

import { splitLines } from './lines.js';

/** Outputs whose changed lines exceed this share of their lines are not near-duplicates. */
const MAX_CHANGED_SHARE = 0.2;
/** How far ahead a line is looked for when the two outputs part ways. */
const WINDOW = 64;
const MIN_LINES = 5;

interface Hunk {
  /** Where the hunk starts in the earlier and the later output (0-based). */
  from: number;
  to: number;
  removed: string[];
  added: string[];
}

/** The first index ≥ `start` (and < `start + WINDOW`) where `line` occurs in `positions`, or -1. */
function nextAt(positions: readonly number[] | undefined, start: number): number {
  if (!positions) return -1;
  for (const p of positions) {
    if (p >= start + WINDOW) return -1;
    if (p >= start) return p;
  }
  return -1;
}

function positionsOf(lines: readonly string[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  lines.forEach((line, i) => {
    const list = map.get(line);
    if (list) list.push(i);
    else map.set(line, [i]);
  });
  return map;
}

/**
 * A greedy line diff: enough for outputs that differ in a few lines, linear in their length. Gives up
 * (undefined) once more than `limit` lines changed.
 */
function lineHunks(a: readonly string[], b: readonly string[], limit: number): Hunk[] | undefined {
  const inA = positionsOf(a);
  const inB = positionsOf(b);
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  const open = (i: number, j: number): Hunk => {
    current ??= { from: i, to: j, removed: [], added: [] };
    return current;
  };
  let i = 0;
  let j = 0;
  let changed = 0;
  while (i < a.length || j < b.length) {
    if (changed > limit) return undefined;
    if (i < a.length && j < b.length && a[i] === b[j]) {
      if (current) hunks.push(current);
      current = undefined;
      i++;
      j++;
      continue;
    }
    const k = j < b.length ? nextAt(inA.get(b[j] as string), i) : -1;
    const l = i < a.length ? nextAt(inB.get(a[i] as string), j) : -1;
    const hunk = open(i, j);
    if (j >= b.length || (k !== -1 && (l === -1 || k - i <= l - j))) {
      // Lines of the earlier output missing from the later one, up to where they meet again.
      const end = j >= b.length ? a.length : k;
      for (let r = i; r < end; r++) hunk.removed.push(a[r] as string);
      changed += end - i;
      i = end;
    } else if (i >= a.length || l !== -1) {
      const end = i >= a.length ? b.length : l;
      for (let r = j; r < end; r++) hunk.added.push(b[r] as string);
      changed += end - j;
      j = end;
    } else {
      hunk.removed.push(a[i++] as string);
      hunk.added.push(b[j++] as string);
      changed++;
    }
  }
  if (current) hunks.push(current);
  return hunks;
}

const SAMPLED = 64;

/** Cheap check before diffing: most of an even sample of the later lines occur in the earlier output. */
function mostlyShared(a: readonly string[], b: readonly string[]): boolean {
  const known = new Set(a);
  const step = Math.max(1, Math.floor(b.length / SAMPLED));
  let found = 0;
  let tried = 0;
  for (let j = 0; j < b.length; j += step, tried++) if (known.has(b[j] as string)) found++;
  return found >= (1 - MAX_CHANGED_SHARE) * tried;
}

/**
 * What changed from `earlier` to `later` as `@@ -line,count +line,count @@` hunks of removed and added
 * lines, or undefined when the outputs are not near-duplicates (too short, or too much changed).
 */
export function lineDelta(earlier: string, later: string): string | undefined {
  const a = splitLines(earlier);
  const b = splitLines(later);
  if (a.length < MIN_LINES || b.length < MIN_LINES) return undefined;
  if (Math.abs(a.length - b.length) > MAX_CHANGED_SHARE * Math.max(a.length, b.length)) return undefined;
  if (!mostlyShared(a, b)) return undefined;
  const hunks = lineHunks(a, b, 2 * MAX_CHANGED_SHARE * b.length);
  if (!hunks) return undefined;
  const changed = hunks.reduce((sum, h) => sum + Math.max(h.removed.length, h.added.length), 0);
  if (changed === 0 || changed > MAX_CHANGED_SHARE * b.length) return undefined;
  const out: string[] = [];
  for (const h of hunks) {
    out.push(`@@ -${h.from + 1},${h.removed.length} +${h.to + 1},${h.added.length} @@`);
    for (const line of h.removed) out.push(`-${line}`);
    for (const line of h.added) out.push(`+${line}`);
  }
  return out.join('\n');
}
