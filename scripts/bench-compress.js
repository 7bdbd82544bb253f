// Compression benchmark on the shared corpus: token reduction (o200k_base) and needle retention per
// category, transform speed on 1 MB blocks. Run with `npm run bench:compress` (builds first).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../dist/compress/engine.js';
import { blockOf, measureItems, measureSpeed, totals } from '../dist/perf/measure.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.env.HEADROOM_CORPUS ?? resolve(root, '../shared/corpus');
const verbose = process.argv.includes('--verbose');

const items = readdirSync(corpus)
  .filter((f) => f.endsWith('.meta.json'))
  .sort()
  .map((meta) => {
    const info = JSON.parse(readFileSync(join(corpus, meta), 'utf8'));
    const name = meta.slice(0, -'.meta.json'.length);
    return {
      name,
      category: info.category,
      text: readFileSync(join(corpus, name), 'utf8'),
      question: info.question,
      needles: info.needles,
    };
  });

const engine = createEngine();
await engine.init();
const rows = measureItems(engine, items);
const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log(
  'item'.padEnd(44),
  'kind'.padEnd(7),
  'tokens'.padStart(8),
  '→'.padStart(2),
  'after'.padStart(7),
  'saved'.padStart(7),
  'needles'.padStart(8),
  'ms'.padStart(7),
);
for (const r of rows) {
  const saved = r.tokensBefore ? 1 - r.tokensAfter / r.tokensBefore : 0;
  console.log(
    r.name.padEnd(44),
    r.kind.padEnd(7),
    String(r.tokensBefore).padStart(8),
    '→'.padStart(2),
    String(r.tokensAfter).padStart(7),
    pct(saved).padStart(7),
    `${r.needlesKept}/${r.needles}`.padStart(8),
    r.ms.toFixed(1).padStart(7),
  );
  if (verbose) for (const m of r.missing) console.log(`    missing: ${m}`);
}
console.log();
console.log(
  'category'.padEnd(10),
  'items'.padStart(5),
  'tokens'.padStart(9),
  'after'.padStart(8),
  'reduction'.padStart(10),
  'needles kept'.padStart(13),
);
for (const t of totals(rows, ['code'])) {
  console.log(
    t.category.padEnd(10),
    String(t.items).padStart(5),
    String(t.tokensBefore).padStart(9),
    String(t.tokensAfter).padStart(8),
    pct(t.reduction).padStart(10),
    `${pct(t.retention)} (${t.needlesKept}/${t.needles})`.padStart(13),
  );
}
console.log('(overall excludes code: source files pass untouched until the code transform exists)');

console.log();
const of = (category) => items.filter((i) => i.category === category).map((i) => i.text);
// JSON: the corpus documents as items of one 1 MB array, the shape of a big API listing.
const jsonBlock = `[${blockOf(of('json'), 1e6).replace(/\n(?=[[{])/g, ',\n')}]`;
const speeds = [
  measureSpeed(engine, 'logs', blockOf(of('logs'), 1e6), 'error'),
  measureSpeed(engine, 'json', jsonBlock),
];
console.log(
  'speed (transforms only, best of 5)'.padEnd(36),
  'MB'.padStart(6),
  'ms'.padStart(8),
  'MB/s'.padStart(8),
);
for (const s of speeds) {
  console.log(
    s.label.padEnd(36),
    (s.bytes / 1e6).toFixed(2).padStart(6),
    s.ms.toFixed(1).padStart(8),
    s.mbPerSecond.toFixed(1).padStart(8),
  );
}
