// Compression benchmark on both sets of real tool outputs, side by side: the shared corpus (what the
// transforms were tuned on) and the outputs made at run time from this machine's programs
// (test/helpers/real-outputs.ts). Token reduction (o200k_base) and needle retention per category with each
// item's question, retention of the structural needles with generic questions, and transform speed on
// 1 MB blocks per category. Run with `npm run bench:compress` (builds first); `--verbose` lists every item.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';
import { createEngine } from '../dist/compress/engine.js';
import { blockOf, measureItems, measureSpeed, totals } from '../dist/perf/measure.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.env.HEADROOM_CORPUS ?? resolve(root, '../shared/corpus');
const verbose = process.argv.includes('--verbose');

/** A test helper, loaded from its TypeScript source. */
async function helper(path) {
  const { module } = await runnerImport(join(root, path), { configFile: false, logLevel: 'error', root });
  return module;
}

function corpusItems() {
  if (!existsSync(corpus)) return [];
  return readdirSync(corpus)
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
}

const { realOutputs, realSourceFile } = await helper('test/helpers/real-outputs.ts');
const { sourceItems } = await helper('test/helpers/source-files.ts');
const { genericRetention, GENERIC_QUESTIONS } = await helper('test/helpers/generic-questions.ts');
const sets = [
  { name: 'corpus', items: corpusItems() },
  { name: 'generated', items: [...realOutputs(), realSourceFile(), ...sourceItems()] },
].filter((set) => set.items.length > 0);
if (sets.length < 2) console.log(`(the shared corpus is not at ${corpus}: the generated set only)\n`);

const engine = createEngine();
await engine.init();
const pct = (x) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
const compressed = (text, question) =>
  engine.compressText(text, { query: question, memo: false, tokenCounting: 'estimate' }).text;

const results = sets.map((set) => {
  const rows = measureItems(engine, set.items);
  const byCategory = new Map(totals(rows).map((t) => [t.category, t]));
  // Structural needles kept with a generic question, per category, over every generic question.
  const generic = new Map();
  for (const [category] of byCategory) {
    const items = set.items.filter((i) => category === 'overall' || i.category === category);
    const runs = genericRetention(items, compressed);
    const total = runs.reduce((s, r) => s + r.total, 0);
    const kept = runs.reduce((s, r) => s + r.kept, 0);
    generic.set(category, { kept, total, missing: runs.flatMap((r) => r.missing) });
  }
  return { ...set, rows, byCategory, generic };
});

if (verbose) {
  for (const { name, rows } of results) {
    console.log(`${name}:`);
    console.log(
      'item'.padEnd(44),
      'kind'.padEnd(7),
      'tokens'.padStart(8),
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
        String(r.tokensAfter).padStart(7),
        pct(saved).padStart(7),
        `${r.needlesKept}/${r.needles}`.padStart(8),
        r.ms.toFixed(1).padStart(7),
      );
      for (const m of r.missing) console.log(`    missing: ${m}`);
    }
    console.log();
  }
}

console.log(
  'o200k_base tokens; "needles": kept with each item\'s question; "generic": structural needles (errors,',
);
console.log(`statuses, exit lines, totals) kept with ${GENERIC_QUESTIONS.map((q) => `"${q}"`).join(', ')}`);
console.log();
const categories = [...new Set(results.flatMap((r) => [...r.byCategory.keys()]))].sort(
  (a, b) => (a === 'overall') - (b === 'overall') || a.localeCompare(b),
);
const WIDTHS = [7, 9, 8, 11, 10, 18];
const row = (cells) => cells.map((c, i) => String(c).padStart(WIDTHS[i % WIDTHS.length])).join('');
console.log(
  ''.padEnd(10),
  ...results.map(({ name }) => `| ${name}`.padEnd(WIDTHS.reduce((a, b) => a + b) - 1)),
);
console.log(
  'category'.padEnd(10),
  ...results.map(() => `|${row(['items', 'tokens', 'after', 'reduction', 'needles', 'generic']).slice(1)}`),
);
for (const category of categories) {
  const cells = [];
  for (const { byCategory, generic } of results) {
    const t = byCategory.get(category);
    const g = generic.get(category);
    const genericCell = g && g.total > 0 ? `${pct(g.kept / g.total)} (${g.kept}/${g.total})` : '-';
    const values = t
      ? [
          t.items,
          t.tokensBefore,
          t.tokensAfter,
          pct(t.reduction),
          `${t.needlesKept}/${t.needles}`,
          genericCell,
        ]
      : ['-', '-', '-', '-', '-', '-'];
    cells.push(`|${row(values).slice(1)}`);
  }
  console.log(category.padEnd(10), ...cells);
}
for (const { name, generic } of results) {
  const lost = new Map();
  for (const m of generic.get('overall')?.missing ?? []) lost.set(m, (lost.get(m) ?? 0) + 1);
  for (const [m, times] of lost) console.log(`  ${name}, lost with ${times} generic question(s): ${m}`);
}

console.log();
const all = results.flatMap((r) => r.items);
const speeds = [];
for (const category of categories.filter((c) => c !== 'overall')) {
  const items = all.filter((i) => i.category === category);
  const texts = items.map((i) => i.text);
  // JSON: the documents as items of one 1 MB array, the shape of a big API listing.
  const block =
    category === 'json' ? `[${blockOf(texts, 1e6).replace(/\n(?=[[{])/g, ',\n')}]` : blockOf(texts, 1e6);
  if (category === 'code') {
    // Source: one file of each language grown to 1 MB by repeating it, as a reader would read one big file.
    for (const item of items.filter((i) => /\.\w+$/.test(i.name))) {
      const ext = /\.(\w+)$/.exec(item.name)[1];
      if (speeds.some((s) => s.label === `code .${ext}`)) continue;
      const file = blockOf([item.text], 1e6);
      speeds.push(measureSpeed(engine, `code .${ext}`, file, item.question, 3, `big.${ext}`));
    }
    continue;
  }
  speeds.push(measureSpeed(engine, category, block, items[0]?.question ?? ''));
}
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

console.log();
console.log('targets:');
const check = (ok, what) => console.log(`  ${ok ? 'met    ' : 'NOT MET'}  ${what}`);
for (const { name, byCategory, generic, rows } of results) {
  const overall = byCategory.get('overall');
  check(overall.reduction >= 0.75 && overall.retention === 1, `${name}: overall ≥ 75% at 100% needles`);
  const low = [...byCategory].filter(([c, t]) => c !== 'overall' && t.reduction < 0.5);
  check(low.length === 0, `${name}: no category under 50% (${low.map(([c]) => c).join(', ') || 'none'})`);
  const g = generic.get('overall');
  check(
    g.total === 0 || g.kept / g.total >= 0.95,
    `${name}: ≥ 95% structural needles with generic questions`,
  );
  const under = rows.filter((r) => 1 - r.tokensAfter / r.tokensBefore < 0.75);
  console.log(`           ${name}: items under 75%: ${under.map((r) => r.name).join(', ') || 'none'}`);
}
const slow = speeds.filter((s) => s.mbPerSecond < 10 || s.ms / (s.bytes / 1e6) > 100);
check(
  slow.length === 0,
  `≥ 10 MB/s and ≤ 100 ms per MB in every category (${slow.map((s) => s.label).join(', ') || 'all'})`,
);

// The learned text scorer, when a model is configured: the text category with and without it, and the
// model's own speed per block (its tokens per second, and the spread of ms per block).
const kompressModel = process.env.HEADROOM_KOMPRESS_MODEL;
console.log();
if (!kompressModel) {
  console.log('kompress: HEADROOM_KOMPRESS_MODEL is not set; set it to a model directory to measure it');
} else {
  const { loadModel } = await import('../dist/compress/transforms/kompress-model.js');
  const { wordsOf } = await import('../dist/compress/transforms/kompress.js');
  const model = await loadModel(kompressModel);
  const withModel = createEngine({ kompress: { mode: 'on', model: kompressModel } });
  await withModel.init();
  for (const notice of withModel.notices()) console.log(`kompress: ${notice.message}`);
  console.log(`kompress: ${kompressModel} (${model.shape} output, ${model.maxLength} tokens per chunk)`);
  console.log(
    'text category'.padEnd(12),
    'set'.padEnd(10),
    'items'.padStart(6),
    'tokens'.padStart(9),
    'after'.padStart(8),
    'reduction'.padStart(10),
    'needles'.padStart(9),
    'kompress'.padStart(9),
  );
  for (const set of sets) {
    const items = set.items.filter((item) => item.category === 'text');
    if (items.length === 0) continue;
    for (const [label, used] of [
      ['without', engine],
      ['with', withModel],
    ]) {
      const rows = measureItems(used, items);
      const [t] = totals(rows).filter((total) => total.category === 'text');
      console.log(
        label.padEnd(12),
        set.name.padEnd(10),
        String(t.items).padStart(6),
        String(t.tokensBefore).padStart(9),
        String(t.tokensAfter).padStart(8),
        pct(t.reduction).padStart(10),
        `${t.needlesKept}/${t.needles}`.padStart(9),
        String(rows.filter((r) => r.transform === 'kompress').length).padStart(9),
      );
    }
  }
  // Inference speed: every text item as one block, three rounds, timed through the engine.
  const blocks = all.filter((item) => item.category === 'text');
  const ms = [];
  let tokens = 0;
  let seconds = 0;
  for (let round = 0; round < 3; round++) {
    for (const item of blocks) {
      const started = performance.now();
      const result = withModel.compressText(item.text, {
        kind: 'text',
        memo: false,
        tokenCounting: 'estimate',
      });
      const took = performance.now() - started;
      if (result.transform !== 'kompress') continue;
      ms.push(took);
      seconds += took / 1000;
      tokens += wordsOf(item.text).reduce((sum, word) => sum + model.wordIds(word.text).length, 0);
    }
  }
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  if (ms.length === 0) console.log('kompress: no text block went to the model');
  else
    console.log(
      `kompress: ${ms.length} blocks, ${Math.round(tokens / seconds)} model tokens/s, p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms per block`,
    );
}
