// `headroom perf --html`: the figures as one self-contained page (no scripts, no fetched assets), a bar per
// category for tokens before and after, the needles kept beside a cut at the head to the same size, and speed.

import type { BenchRow, BenchTotal, SpeedFigure } from './measure.js';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const count = (n: number) => n.toLocaleString('en-US');

function bar(share: number, kind: 'before' | 'after'): string {
  const width = Math.max(0.5, Math.min(100, share * 100)).toFixed(1);
  return `<div class="bar ${kind}" style="width:${width}%"></div>`;
}

/** The page for a run's totals, items and speed figures, measured at `when`. */
export function perfHtml(
  totals: readonly BenchTotal[],
  rows: readonly BenchRow[],
  speeds: readonly SpeedFigure[],
  when: Date,
): string {
  const widest = Math.max(1, ...totals.filter((t) => t.category !== 'overall').map((t) => t.tokensBefore));
  const categories = totals
    .map((t) => {
      const scale = t.category === 'overall' ? t.tokensBefore || 1 : widest;
      const needles = t.needles
        ? `${pct(t.retention)} (${t.needlesKept}/${t.needles}); head cut ${pct(t.headCutRetention)}`
        : '–';
      return `<tr><th>${escapeHtml(t.category)}</th><td>${t.items}</td><td class="bars">${bar(t.tokensBefore / scale, 'before')}${bar(t.tokensAfter / scale, 'after')}</td><td>${count(t.tokensBefore)} → ${count(t.tokensAfter)}</td><td>${pct(t.reduction)}</td><td>${needles}</td></tr>`;
    })
    .join('\n');
  const items = rows
    .map((r) => {
      const saved = r.tokensBefore ? 1 - r.tokensAfter / r.tokensBefore : 0;
      const needles = r.needles ? `${r.needlesKept}/${r.needles} (head cut ${r.headCutKept})` : '–';
      const missing = r.missing.length
        ? `<div class="missing">missing: ${r.missing.map(escapeHtml).join(' · ')}</div>`
        : '';
      return `<tr><th>${escapeHtml(r.name)}</th><td>${escapeHtml(r.kind)}</td><td>${count(r.tokensBefore)} → ${count(r.tokensAfter)}</td><td>${pct(saved)}</td><td>${needles}${missing}</td><td>${r.ms.toFixed(1)} ms</td></tr>`;
    })
    .join('\n');
  const fastest = Math.max(1, ...speeds.map((s) => s.mbPerSecond));
  const speedRows = speeds
    .map(
      (s) =>
        `<tr><th>${escapeHtml(s.label)}</th><td class="bars">${bar(s.mbPerSecond / fastest, 'after')}</td><td>${s.mbPerSecond.toFixed(1)} MB/s</td><td>${s.ms.toFixed(1)} ms for ${(s.bytes / 1e6).toFixed(2)} MB</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>headroom perf</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:2em}
th,td{padding:4px 10px;text-align:left;vertical-align:top;border-bottom:1px solid #eee}th{font-weight:600}
.bars{width:320px}.bar{height:9px;margin:2px 0}.before{background:#c9ccd1}.after{background:#2f7d4f}
.missing{color:#a33;font-size:12px}small{color:#666}
</style></head><body>
<h1>headroom perf</h1>
<p><small>Measured ${escapeHtml(when.toISOString())}. Tokens in o200k_base; grey is before, green after. "Head cut" is how many
needles cutting each file to as many tokens from its start as headroom sends would keep.</small></p>
<h2>By category</h2>
<table><tr><th>category</th><th>files</th><th>tokens</th><th></th><th>reduction</th><th>needles kept</th></tr>
${categories}</table>
${speeds.length ? `<h2>Speed (transforms only)</h2>\n<table>${speedRows}</table>` : ''}
<h2>Files</h2>
<table><tr><th>file</th><th>kind</th><th>tokens</th><th>saved</th><th>needles</th><th>time</th></tr>
${items}</table>
</body></html>
`;
}
