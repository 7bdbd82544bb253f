// Renders benchmark figures as the plain-text tables `headroom perf` and `npm run bench:compress` print.

import type { BenchRow, BenchTotal, SpeedFigure } from './measure.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One line per sample: kind, tokens before → after, reduction, needles kept, time. */
export function itemTable(rows: readonly BenchRow[], showMissing = false): string {
  const width = Math.max(20, ...rows.map((r) => r.name.length)) + 2;
  const lines = [
    `${'item'.padEnd(width)}${'kind'.padEnd(8)}${'tokens'.padStart(8)}${'after'.padStart(8)}${'saved'.padStart(8)}${'needles'.padStart(9)}${'ms'.padStart(8)}`,
  ];
  for (const r of rows) {
    const saved = r.tokensBefore ? 1 - r.tokensAfter / r.tokensBefore : 0;
    const needles = r.needles ? `${r.needlesKept}/${r.needles}` : '-';
    lines.push(
      `${r.name.padEnd(width)}${r.kind.padEnd(8)}${String(r.tokensBefore).padStart(8)}${String(r.tokensAfter).padStart(8)}${pct(saved).padStart(8)}${needles.padStart(9)}${r.ms.toFixed(1).padStart(8)}`,
    );
    if (showMissing) for (const m of r.missing) lines.push(`    missing: ${m}`);
  }
  return lines.join('\n');
}

/** One line per category plus the overall line. */
export function totalsTable(totals: readonly BenchTotal[]): string {
  const lines = [
    `${'category'.padEnd(10)}${'items'.padStart(6)}${'tokens'.padStart(10)}${'after'.padStart(9)}${'reduction'.padStart(11)}${'needles kept'.padStart(20)}${'head cut'.padStart(10)}`,
  ];
  for (const t of totals) {
    const kept = t.needles ? `${pct(t.retention)} (${t.needlesKept}/${t.needles})` : '-';
    const headCut = t.needles ? pct(t.headCutRetention) : '-';
    lines.push(
      `${t.category.padEnd(10)}${String(t.items).padStart(6)}${String(t.tokensBefore).padStart(10)}${String(t.tokensAfter).padStart(9)}${pct(t.reduction).padStart(11)}${kept.padStart(20)}${headCut.padStart(10)}`,
    );
  }
  lines.push(
    '(head cut: the needles kept by cutting each file to as many tokens from its start as headroom sends)',
  );
  return lines.join('\n');
}

/** Transform throughput lines. */
export function speedTable(speeds: readonly SpeedFigure[]): string {
  const lines = [
    `${'speed (transforms only, best of 5)'.padEnd(36)}${'MB'.padStart(6)}${'ms'.padStart(8)}${'MB/s'.padStart(8)}`,
  ];
  for (const s of speeds) {
    lines.push(
      `${s.label.padEnd(36)}${(s.bytes / 1e6).toFixed(2).padStart(6)}${s.ms.toFixed(1).padStart(8)}${s.mbPerSecond.toFixed(1).padStart(8)}`,
    );
  }
  return lines.join('\n');
}
