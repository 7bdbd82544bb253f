import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SPEC_WORDS, specProse, writeTinyModel } from '../../../test/helpers/kompress-model.js';
import { createEngine } from '../engine.js';
import { buildQuery } from '../query.js';
import type { KompressSettings } from '../types.js';
import { compressProse, mustKeep, reassemble, wordScores, wordsOf } from './kompress.js';
import { loadModel } from './kompress-model.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-kompress-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const WORDS = SPEC_WORDS;
const prose = specProse;
/** A document of many short paragraphs: the extractive rules keep the few that matter and beat any word cut. */
const DOCUMENT = Array.from(
  { length: 30 },
  (_, i) => `Section ${i}\n\nthe server ${i} is really just the database ${i}, basically keeping the deploy.`,
).join('\n\n');

function engineWith(model: string, extra: Partial<KompressSettings> = {}) {
  return createEngine({ kompress: { mode: 'on', model, ...extra } });
}

describe('the kompress transform, with a real ONNX token classifier and tokenizer', () => {
  for (const shape of ['logits', 'final_scores'] as const) {
    it(`keeps the words the model scores high and drops the low ones (${shape} output)`, async () => {
      const dir = writeTinyModel(tempDir(), { words: WORDS, shape, positions: 512 });
      const model = await loadModel(dir);
      expect(model.shape).toBe(shape);
      const engine = engineWith(dir);
      await engine.init();
      const text = prose(40);
      const result = engine.compressText(text, { kind: 'text', memo: false });
      expect(result.transform).toBe('kompress');
      const body = result.text.split('\n[headroom:')[0] as string;
      for (const word of ['server', 'database,', 'keeping', 'deploy']) expect(body).toContain(word);
      for (const word of ['really', 'basically', 'quite'])
        expect(body).not.toMatch(new RegExp(`\\b${word}\\b`));
      expect(result.text).toMatch(
        /\[headroom: \d+ of \d+ words dropped by the kompress model; headroom_retrieve id=hr_/,
      );
      // Line breaks of the original stay where words around them were kept.
      expect(body.split('\n').length).toBe(text.trimEnd().split('\n').length);
      expect(result.tokensAfter).toBeLessThan(result.tokensBefore * 0.7);
    });
  }

  it('keeps numbers, ids, paths, URLs, identifiers, flags, ALLCAPS, negations and query terms whatever the model says', async () => {
    const dir = writeTinyModel(tempDir(), { words: WORDS, shape: 'logits', positions: 512 });
    const engine = engineWith(dir);
    await engine.init();
    const needles =
      'the 42 the deadbeef01 the /etc/hosts the https://example.com/x the parseConfig the max_retries the ' +
      'os.path the --force the TIMEOUT the not the never the must the unless the only the widget';
    const text = `${prose(30)} ${needles} ${prose(10)}`;
    const result = engine.compressText(text, {
      kind: 'text',
      query: 'why does the widget break',
      memo: false,
    });
    expect(result.transform).toBe('kompress');
    for (const word of needles.split(' ').filter((w) => w !== 'the')) expect(result.text).toContain(word);
    // The filler around them went.
    expect(result.text).not.toContain('the 42 the');
  });

  it('splits the text in chunks the model can take', async () => {
    // 24 positions with [CLS] and [SEP]: a chunk holds at most 22 tokens; a longer run would fail, as a real one does.
    const dir = writeTinyModel(tempDir(), { words: WORDS, shape: 'logits', positions: 24 });
    const engine = engineWith(dir);
    await engine.init();
    const result = engine.compressText(prose(60), { kind: 'text', memo: false });
    expect(engine.notices()).toEqual([]);
    expect(result.transform).toBe('kompress');
    expect(result.text.match(/\bdeploy\b/g)?.length).toBe(60);
    expect(result.text).not.toMatch(/\breally\b/);
  });

  it('switches itself off with one warning when a run fails, and the text rules take the block', async () => {
    // The tokenizer claims 64 tokens but the model has 24 positions: every run past 24 fails.
    const dir = writeTinyModel(tempDir(), {
      words: WORDS,
      shape: 'logits',
      positions: 24,
      declaredMaxLength: 64,
    });
    const engine = engineWith(dir);
    await engine.init();
    const first = engine.compressText(prose(60), { kind: 'text', memo: false });
    const second = engine.compressText(`${prose(61)}`, { kind: 'text', memo: false });
    expect(first.transform).not.toBe('kompress');
    expect(second.transform).not.toBe('kompress');
    const warnings = engine.notices().filter((notice) => notice.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/^kompress: a run failed: .*switched off, the text rules run$/);
  });

  it('leaves a block to the text rules when they cut it shorter', async () => {
    const dir = writeTinyModel(tempDir(), { words: WORDS, shape: 'logits', positions: 512 });
    const engine = engineWith(dir);
    await engine.init();
    expect(engine.compressText(DOCUMENT, { kind: 'text', memo: false }).transform).toBe('text');
    expect(engine.compressText(prose(60), { kind: 'text', memo: false }).transform).toBe('kompress');
  });

  it('gives the same bytes for the same input on every run', async () => {
    const dir = writeTinyModel(tempDir(), { words: WORDS, shape: 'final_scores', positions: 40 });
    const text = prose(50);
    const outs = [];
    for (let i = 0; i < 3; i++) {
      const engine = engineWith(dir);
      await engine.init();
      outs.push(engine.compressText(text, { kind: 'text', memo: false }).text);
    }
    expect(outs[0]).toContain('[headroom:');
    expect(new Set(outs).size).toBe(1);
  });

  it('scores a word by the mean of its tokens, not its best one', async () => {
    const dir = writeTinyModel(tempDir(), { words: WORDS, shape: 'logits', positions: 512 });
    const model = await loadModel(dir);
    expect(model.wordIds('keepfulness')).toHaveLength(3);
    const [keeping, keepfulness] = wordScores(['keeping', 'keepfulness'], model);
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    expect(keeping).toBeCloseTo(sigmoid(6), 5);
    expect(keepfulness).toBeCloseTo((sigmoid(6) + 2 * sigmoid(-6)) / 3, 5);
  });

  it('keeps the ratio of words --target-ratio asks for, the best scored first', async () => {
    const dir = writeTinyModel(tempDir(), { words: WORDS, shape: 'logits', positions: 512 });
    const model = await loadModel(dir);
    const text = prose(20);
    const total = wordsOf(text).length;
    const half = compressProse(text, model, { query: buildQuery('') }, { targetRatio: 0.5 });
    expect(half?.words).toBe(total);
    expect(total - (half?.dropped ?? 0)).toBe(Math.ceil(total * 0.5));
  });

  it('runs the text rules and says why at debug level when no model is configured', async () => {
    const engine = createEngine({ kompress: { mode: 'auto' } });
    await engine.init();
    const result = engine.compressText(DOCUMENT, { kind: 'text', memo: false });
    expect(result.transform).toBe('text');
    expect(engine.notices()).toEqual([
      {
        level: 'debug',
        message: 'kompress: no model configured (set HEADROOM_KOMPRESS_MODEL); the text rules run',
      },
    ]);
  });

  it('warns once when the configured model cannot be loaded', async () => {
    const engine = createEngine({ kompress: { mode: 'auto', model: join(tempDir(), 'missing') } });
    await engine.init();
    expect(engine.notices()).toHaveLength(1);
    expect(engine.notices()[0]?.level).toBe('warn');
    expect(engine.notices()[0]?.message).toMatch(/kompress: .*missing.*does not exist; the text rules run/);
  });
});

describe('kompress word rules', () => {
  it('keeps each word with its own spacing, and a dropped stretch leaves its line breaks', () => {
    const words = wordsOf('  alpha  beta\n\n    gamma delta\tepsilon\n');
    expect(reassemble(words, [true, true, true, true, true])).toBe(
      '  alpha  beta\n\n    gamma delta\tepsilon',
    );
    expect(reassemble(words, [true, false, false, true, true])).toBe('  alpha\n\n    delta\tepsilon');
    expect(reassemble(words, [true, false, true, false, true])).toBe('  alpha\n\n    gamma epsilon');
  });

  it('tells must-keep words from plain ones', () => {
    const none = new Set<string>();
    for (const word of [
      '3.14',
      'v2',
      'a1b2c3d',
      './src/a.ts',
      'http://x.y',
      'fooBar',
      'foo_bar',
      'a.b',
      '--dry-run',
      'HTTP',
      "don't",
      'never',
      'must.',
    ])
      expect(mustKeep(word, none), word).toBe(true);
    for (const word of ['the', 'quickly', 'server,', 'It', '(see'])
      expect(mustKeep(word, none), word).toBe(false);
  });
});
