// Figures for the originals store and the retrieve path, on the shared corpus: how fast originals are
// hashed, compressed and stored, how small they get at rest, and how fast they come back.
// Usage: npm run bench:originals   (reads ../shared/corpus, or $HEADROOM_CORPUS, in place; writes only to a temp dir)

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { originalId } from '../dist/compress/marker.js';
import { countTokens } from '../dist/compress/tokens.js';
import { formatNamed } from '../dist/formats/index.js';
import { retrieveToolDefinition } from '../dist/retrieve/loop.js';
import { readOriginal } from '../dist/retrieve/read.js';
import { openOriginalStore } from '../dist/store/index.js';

const corpus = process.env.HEADROOM_CORPUS ?? resolve(import.meta.dirname, '../../shared/corpus');
const texts = readdirSync(corpus)
  .filter((name) => !name.endsWith('.meta.json') && name !== 'MANIFEST.json' && name !== 'README.md')
  .map((name) => readFileSync(join(corpus, name), 'utf8'));
const totalBytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
const mb = (bytes) => (bytes / 1e6).toFixed(2);
const rate = (bytes, ms) => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;

async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-originals-'));
try {
  const big = texts.join('\n').repeat(3);
  const [hashMs] = await timed(() => originalId(big));
  console.log(
    `hash: ${mb(Buffer.byteLength(big))} MB original id in ${hashMs.toFixed(1)} ms (${rate(Buffer.byteLength(big), hashMs)})`,
  );

  const store = await openOriginalStore({ cacheDir: dir });
  const [putMs, ids] = await timed(() => Promise.all(texts.map((text) => store.put(text))));
  const stats = await store.stats();
  console.log(
    `put: ${texts.length} corpus items, ${mb(totalBytes)} MB in ${putMs.toFixed(0)} ms (${rate(totalBytes, putMs)})`,
  );
  console.log(
    `at rest: ${mb(stats.storedBytes)} MB (${(stats.rawBytes / stats.storedBytes).toFixed(1)}x smaller)`,
  );

  const [dupMs] = await timed(() => Promise.all(texts.map((text) => store.put(text))));
  console.log(`put again (dedupe): ${dupMs.toFixed(0)} ms for ${texts.length} items`);

  const [getMs] = await timed(() => Promise.all(ids.map((id) => store.get(id))));
  console.log(`get: ${rate(totalBytes, getMs)} (${(getMs / ids.length).toFixed(2)} ms per item)`);

  const [queryMs] = await timed(() =>
    Promise.all(ids.map((id) => readOriginal(store, id, { query: 'error failed' }))),
  );
  console.log(`retrieve with query: ${(queryMs / ids.length).toFixed(2)} ms per item`);
  await store.close();

  for (const format of ['anthropic', 'openai-chat', 'openai-responses']) {
    const json = JSON.stringify(retrieveToolDefinition(formatNamed(format)));
    console.log(
      `tool definition (${format}): ${countTokens(json, 'cl100k_base')} tokens cl100k, ${countTokens(json, 'o200k_base')} o200k`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
