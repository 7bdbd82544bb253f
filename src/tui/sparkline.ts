// Eight-level block sparklines for a row of shares, so a trend reads at a glance in one line of text.
// Empty buckets (no requests) print as a dot, apart from a real zero.

const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character per value, scaled from 0 to `max`; null marks a bucket with no data. */
export function sparkline(values: readonly (number | null)[], max = 1): string {
  return values
    .map((v) => {
      if (v === null) return '·';
      const level = max > 0 ? Math.round((Math.min(Math.max(v, 0), max) / max) * (LEVELS.length - 1)) : 0;
      return LEVELS[level];
    })
    .join('');
}

/** A horizontal bar `width` cells long for a 0..1 share. */
export function bar(share: number, width: number): string {
  const filled = Math.round(Math.min(Math.max(share, 0), 1) * width);
  return '█'.repeat(filled) + '░'.repeat(Math.max(0, width - filled));
}
