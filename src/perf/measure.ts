// Measures an engine on a set of sample outputs: token reduction, needle retention and speed.
// Callers load the samples (corpus files, a user's own data); this module only computes figures.

import type { Engine } from '../compress/engine.js';
import { countTokens } from '../compress/tokens.js';

/** One sample: a tool output, the question a user would ask about it and the facts the answer needs. */
export interface BenchItem {
  name: string;
  /** The category it is counted under; without one, the kind the engine detects. */
  category?: string;
  text: string;
  question: string;
  needles: readonly string[];
  /** The file it was read from, which tells the engine a source file's language. */
  path?: string;
}

/** Figures for one sample. */
export interface BenchRow {
  name: string;
  category: string;
  kind: string;
  transform: string;
  bytes: number;
  tokensBefore: number;
  tokensAfter: number;
  needles: number;
  needlesKept: number;
  /** Names of the needles missing from what the model sees. */
  missing: string[];
  /** Needles kept by cutting the sample to its first `tokensAfter` tokens instead: what the reduction beats. */
  headCutKept: number;
  ms: number;
}

/** Figures over a category (or everything). */
export interface BenchTotal {
  category: string;
  items: number;
  tokensBefore: number;
  tokensAfter: number;
  /** 1 - after / before, over the summed tokens. */
  reduction: number;
  needles: number;
  needlesKept: number;
  retention: number;
  /** Needle retention of cutting each sample to its first `tokensAfter` tokens (4 characters a token). */
  headCutRetention: number;
}

/** Throughput of the transforms alone (no token counting) on one big block. */
export interface SpeedFigure {
  label: string;
  bytes: number;
  ms: number;
  mbPerSecond: number;
}

/** Compress each sample with its question as the query and check what the model would see. */
export function measureItems(engine: Engine, items: readonly BenchItem[]): BenchRow[] {
  return items.map((item) => {
    const started = performance.now();
    const result = engine.compressText(item.text, {
      query: item.question,
      memo: false,
      tokenCounting: 'estimate',
      path: item.path,
    });
    const ms = performance.now() - started;
    const missing = item.needles.filter((needle) => !result.text.includes(needle));
    const tokensAfter = countTokens(result.text, 'o200k_base');
    const headCut = item.text.slice(0, tokensAfter * 4);
    return {
      name: item.name,
      category: item.category ?? result.kind,
      kind: result.kind,
      transform: result.transform ?? '-',
      bytes: Buffer.byteLength(item.text),
      tokensBefore: countTokens(item.text, 'o200k_base'),
      tokensAfter,
      needles: item.needles.length,
      needlesKept: item.needles.length - missing.length,
      missing,
      headCutKept: item.needles.filter((needle) => headCut.includes(needle)).length,
      ms,
    };
  });
}

/** Sum rows per category, plus an `overall` total over the categories not excluded. */
export function totals(rows: readonly BenchRow[]): BenchTotal[] {
  const byCategory = new Map<string, BenchRow[]>();
  for (const row of rows) byCategory.set(row.category, [...(byCategory.get(row.category) ?? []), row]);
  const sum = (category: string, group: readonly BenchRow[]): BenchTotal => {
    const tokensBefore = group.reduce((s, r) => s + r.tokensBefore, 0);
    const tokensAfter = group.reduce((s, r) => s + r.tokensAfter, 0);
    const needles = group.reduce((s, r) => s + r.needles, 0);
    const needlesKept = group.reduce((s, r) => s + r.needlesKept, 0);
    const headCutKept = group.reduce((s, r) => s + r.headCutKept, 0);
    return {
      category,
      items: group.length,
      tokensBefore,
      tokensAfter,
      reduction: tokensBefore === 0 ? 0 : 1 - tokensAfter / tokensBefore,
      needles,
      needlesKept,
      retention: needles === 0 ? 1 : needlesKept / needles,
      headCutRetention: needles === 0 ? 1 : headCutKept / needles,
    };
  };
  const categories = [...byCategory.keys()].sort();
  const out = categories.map((c) => sum(c, byCategory.get(c) ?? []));
  out.push(sum('overall', rows));
  return out;
}

/** Transform throughput on `text`, best of `runs` (first run warms up the JIT). */
export function measureSpeed(
  engine: Engine,
  label: string,
  text: string,
  query = '',
  runs = 5,
  pathHint?: string,
): SpeedFigure {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    engine.compressText(text, { query, memo: false, tokenCounting: 'estimate', path: pathHint });
    best = Math.min(best, performance.now() - started);
  }
  const bytes = Buffer.byteLength(text);
  return { label, bytes, ms: best, mbPerSecond: bytes / 1e6 / (best / 1000) };
}

/** Repeat samples until the block reaches `bytes` (for speed runs on realistic content). */
export function blockOf(samples: readonly string[], bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes && samples.length > 0; i++) {
    const sample = samples[i % samples.length] as string;
    parts.push(sample);
    size += sample.length + 1;
  }
  return parts.join('\n');
}
