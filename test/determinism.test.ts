// Deterministic compression across processes: the built engine in another process gives the same bytes.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compressText } from './helpers/engine.js';
import { realOutput } from './helpers/real-outputs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = realOutput('log-express-debug');

describe('determinism', () => {
  it('gives the same bytes in a separate process', () => {
    const here = compressText(log.text, { query: log.question }).text;
    const file = join(mkdtempSync(join(tmpdir(), 'headroom-determinism-')), 'api.log');
    writeFileSync(file, log.text);
    const script = `import('${resolve(root, 'dist/compress/engine.js')}').then(async (m) => {
      const { readFileSync } = await import('node:fs');
      const engine = m.createEngine();
      await engine.init();
      process.stdout.write(engine.compressText(readFileSync(process.argv[1], 'utf8'), { query: process.argv[2] }).text);
    });`;
    const there = execFileSync(process.execPath, ['-e', script, file, log.question], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(there).toBe(here);
  });
});
