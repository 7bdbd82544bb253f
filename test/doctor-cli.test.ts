import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEmbeddingModel } from './helpers/embedding-model.js';
import { startFakeUpstream } from './helpers/fake-upstream.js';
import { SPEC_WORDS, writeTinyModel } from './helpers/kompress-model.js';
import { startTestProxy } from './helpers/proxy.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const home = mkdtempSync(join(tmpdir(), 'headroom-doctor-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const doctor = (env: Record<string, string>, args: string[] = []) =>
  execa(process.execPath, [resolve(root, 'bin/run.js'), 'doctor', ...args], {
    env: { HEADROOM_CACHE_DIR: join(home, 'cache'), HEADROOM_CONFIG_DIR: join(home, 'config'), ...env },
    reject: false,
  });

describe('headroom doctor', () => {
  it('says the configured model, the grammars and the store load, and which proxy answers', async () => {
    const model = writeTinyModel(join(home, 'model'), {
      words: SPEC_WORDS,
      shape: 'final_scores',
      positions: 64,
    });
    const upstream = await startFakeUpstream();
    const proxy = await startTestProxy(upstream.url);
    try {
      const result = await doctor({ HEADROOM_KOMPRESS_MODEL: model, HEADROOM_PORT: String(proxy.port) });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^kompress +ok +.* loads \(final_scores output, 62 tokens per chunk\)$/m);
      expect(result.stdout).toMatch(/^grammars +ok +python, .*typescript.* load$/m);
      expect(result.stdout).toMatch(/^store +ok +sqlite at .* opens$/m);
      expect(result.stdout).toMatch(
        new RegExp(`^proxy +ok +http://127\\.0\\.0\\.1:${proxy.port} answers$`, 'm'),
      );
      expect(result.stdout).toContain(`kompressModel = ${JSON.stringify(model)} (env)`);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });

  it('exits 1 and names the part when a configured model does not load', async () => {
    const result = await doctor({ HEADROOM_KOMPRESS_MODEL: join(home, 'no-such-model') });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^kompress +failed +.*no-such-model.* does not exist$/m);
    expect(result.stderr).toContain('headroom: kompress: configured but not loading');
  });

  it('says whether the memory embedding model loads, and how wide its vectors are', async () => {
    const model = writeEmbeddingModel(join(home, 'embedder'));
    const ok = await doctor({ HEADROOM_MEMORY_EMBEDDINGS: model });
    expect(ok.exitCode, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^embeddings +ok +.*embedder loads \(4-wide vectors\)$/m);
    const off = JSON.parse((await doctor({}, ['--json'])).stdout) as {
      checks: { part: string; state: string }[];
    };
    expect(off.checks.find((check) => check.part === 'embeddings')?.state).toBe('off');
    const failed = await doctor({ HEADROOM_MEMORY_EMBEDDINGS: join(home, 'no-such-embedder') });
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toMatch(/^embeddings +failed +.*no-such-embedder.* does not exist$/m);
  });

  it('reports no model as off, and a model asked for with HEADROOM_KOMPRESS=on as failed', async () => {
    const auto = await doctor({}, ['--json']);
    expect(auto.exitCode).toBe(0);
    const report = JSON.parse(auto.stdout) as { checks: { part: string; state: string }[] };
    expect(report.checks.find((check) => check.part === 'kompress')?.state).toBe('off');
    const on = await doctor({ HEADROOM_KOMPRESS: 'on' });
    expect(on.exitCode).toBe(1);
    expect(on.stdout).toMatch(/^kompress +failed +no model configured/m);
  });
});
