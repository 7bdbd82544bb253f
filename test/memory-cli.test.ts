// `headroom memory list|search|show|edit|delete|export|import`, the built CLI on a real memory store in a
// temporary cache dir: what agents saved is listed and searched by project, edited and deleted by id, and
// exported as JSONL that another machine's import merges, duplicates confirmed rather than repeated.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Memories } from '../src/memory/memories.js';
import { openMemoryStore } from '../src/store/index.js';
import type { Memory } from '../src/store/types.js';
import { writeEmbeddingModel } from './helpers/embedding-model.js';
import { runHeadroom, tempDir, wrapEnv } from './helpers/wrap.js';

const env = wrapEnv({ path: process.env.PATH ?? '' });
const cacheDir = env.HEADROOM_CACHE_DIR!;
const project = mkdtempSync(join(tempDir('projects'), 'api-'));
const other = mkdtempSync(join(tempDir('projects'), 'web-'));
let port: Memory;

beforeAll(async () => {
  const store = await openMemoryStore({ cacheDir });
  const memories = new Memories(store);
  ({ memory: port } = await memories.save({
    scope: `project:${project}`,
    text: 'The staging database listens on port 5433.',
    agent: 'claude',
  }));
  await memories.save({
    scope: `project:${project}`,
    text: 'Deploys go out with make release.',
    agent: 'codex',
  });
  await memories.save({ scope: `project:${other}`, text: 'The web app builds with vite.', agent: 'codex' });
  await store.close();
});

const headroom = (args: string[], cwd = project) => runHeadroom(['memory', ...args], env, { cwd });

describe('headroom memory', () => {
  it('lists the memories of the current project, and of every project with --scope all', async () => {
    const here = await headroom(['list']);
    expect(here.exitCode).toBe(0);
    expect(here.stdout).toContain(`${port.id}: The staging database listens on port 5433. (saved by claude)`);
    expect(here.stdout).toContain('make release');
    expect(here.stdout).not.toContain('vite');
    const all = await headroom(['list', '--scope', 'all', '--json']);
    expect(JSON.parse(all.stdout).map((m: Memory) => m.text)).toHaveLength(3);
  });

  it('edits a memory in $EDITOR when no new text is given, and leaves it as it was when the editor fails', async () => {
    // A cache of its own, so the other specs see the three memories they count.
    const own = { ...env, HEADROOM_CACHE_DIR: tempDir('edit-cache'), VISUAL: undefined };
    const store = await openMemoryStore({ cacheDir: own.HEADROOM_CACHE_DIR });
    const { memory } = await new Memories(store).save({
      scope: `project:${project}`,
      text: 'The nightly backup runs at 02:00 UTC.',
      agent: 'claude',
    });
    await store.close();
    const editor = (name: string, body: string) => {
      const file = join(tempDir('editor'), name);
      writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o700 });
      return file;
    };
    const withEditor = (file: string) => ({ ...own, EDITOR: file });
    const show = async () =>
      JSON.parse((await runHeadroom(['memory', 'show', memory.id, '--json'], own, { cwd: project })).stdout)
        .text;
    const rewrite = editor('rewrite.sh', `sed -i 's/02:00/03:30/' "$1"`);
    const edited = await runHeadroom(['memory', 'edit', memory.id], withEditor(rewrite), { cwd: project });
    expect(edited.exitCode, edited.stderr).toBe(0);
    expect(edited.stdout).toBe(`updated ${memory.id}`);
    expect(await show()).toBe('The nightly backup runs at 03:30 UTC.');
    const same = await runHeadroom(['memory', 'edit', memory.id], withEditor(editor('keep.sh', 'true')), {
      cwd: project,
    });
    expect(same.stdout).toBe(`unchanged ${memory.id}`);
    const failing = await runHeadroom(
      ['memory', 'edit', memory.id],
      withEditor(editor('fail.sh', `echo gone > "$1"; exit 3`)),
      { cwd: project },
    );
    expect(failing.exitCode).toBe(1);
    expect(failing.stderr).toMatch(
      /^headroom: the editor \(.*fail\.sh\) exited with 3; the memory is unchanged$/,
    );
    expect(await show()).toBe('The nightly backup runs at 03:30 UTC.');
  });

  it('searches by words, best match first, within the project', async () => {
    const found = await headroom(['search', 'which port does staging use', '--json']);
    expect(found.exitCode).toBe(0);
    expect(JSON.parse(found.stdout).map((m: Memory) => m.id)).toEqual([port.id]);
    const none = await headroom(['search', 'vite'], project);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('no memories match "vite"');
  });

  it('searches by meaning too with HEADROOM_MEMORY_EMBEDDINGS, and by words alone, saying why, when the model will not load', async () => {
    const model = writeEmbeddingModel(tempDir('embedder'));
    const query = ['search', 'how do we ship', '--json'];
    expect(JSON.parse((await headroom(query)).stdout)).toEqual([]);
    const semantic = { ...env, HEADROOM_MEMORY_EMBEDDINGS: model };
    const found = await runHeadroom(['memory', ...query], semantic, { cwd: project });
    expect(found.exitCode).toBe(0);
    expect(JSON.parse(found.stdout).map((m: Memory) => m.text)).toEqual([
      'Deploys go out with make release.',
    ]);
    expect(found.stderr).toBe('');
    const broken = { ...env, HEADROOM_MEMORY_EMBEDDINGS: join(model, 'missing.onnx') };
    const words = await runHeadroom(['memory', 'search', 'staging port', '--json'], broken, { cwd: project });
    expect(words.exitCode).toBe(0);
    expect(JSON.parse(words.stdout).map((m: Memory) => m.id)).toEqual([port.id]);
    expect(words.stderr.trim()).toMatch(
      /^headroom: cannot use the embedding model: .*missing\.onnx does not exist; memory search goes on by BM25 alone$/,
    );
  });

  it('shows, edits and deletes one memory by id, and says so in one line when there is none', async () => {
    const shown = await headroom(['show', port.id]);
    expect(shown.stdout).toContain(`scope:         project:${project}`);
    expect(shown.stdout).toContain('saved by:      claude');
    const edited = await headroom(['edit', port.id, 'The staging database listens on port 6543.']);
    expect(edited.stdout).toBe(`updated ${port.id}`);
    expect((await headroom(['show', port.id, '--json'])).stdout).toContain('6543');
    const missing = await headroom(['delete', 'm_000000000000']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe(
      'headroom: no memory m_000000000000 (see `headroom memory list --scope all`)',
    );
  });

  it('exports JSONL that an import merges with deduplication', async () => {
    const exported = await headroom(['export']);
    expect(exported.exitCode).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    // Newest first by the wall clock; which is newest is not what this checks.
    expect(lines.map((line) => JSON.parse(line).agents).sort()).toEqual([['claude'], ['codex'], ['codex']]);
    const file = join(tempDir('export'), 'memories.jsonl');
    writeFileSync(file, exported.stdout);
    const elsewhere = { ...env, HEADROOM_CACHE_DIR: tempDir('other-cache') };
    const first = await runHeadroom(['memory', 'import', file], elsewhere, { cwd: project });
    expect(first.stdout).toBe('imported 3 memories: 3 new, 0 merged into ones already kept');
    const again = await runHeadroom(['memory', 'import', file, '--json'], elsewhere, { cwd: project });
    expect(JSON.parse(again.stdout)).toEqual({ saved: 0, duplicate: 3, 'near-duplicate': 0 });
    const merged = await runHeadroom(['memory', 'show', port.id, '--json'], elsewhere, { cwd: project });
    expect(JSON.parse(merged.stdout)).toMatchObject({ id: port.id, confirmations: 1, agents: ['claude'] });
    expect(readFileSync(file, 'utf8')).toBe(exported.stdout);
  });

  it('refuses a file that is not JSONL of memories with the line that is wrong', async () => {
    const file = join(tempDir('bad'), 'bad.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ id: 'm_0123456789ab', scope: 'user', text: 'ok', createdTs: 1, updatedTs: 1 })}\nnot json\n`,
    );
    const result = await headroom(['import', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `headroom: ${file}:2 is not JSON (one memory per line, as \`headroom memory export\` writes)`,
    );
  });
});
