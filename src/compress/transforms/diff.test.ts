// The diff transform on real diffs: headers and every changed line kept, unchanged context and generated
// files counted.

import { describe, expect, it } from 'vitest';
import { corpusItem, itWithCorpus } from '../../../test/helpers/corpus.js';
import { realOutput } from '../../../test/helpers/real-outputs.js';
import { buildQuery } from '../query.js';
import { diff as diffTransform } from './diff.js';

const ctx = (question = '') => ({ query: buildQuery(question) });

describe('diff transform', () => {
  it('keeps every changed line of two versions of a package and summarises its source map as counts', () => {
    const diff = realOutput('diff-content-type');
    const out = diffTransform.compress(diff.text, ctx(diff.question))?.text ?? '';
    const changed = diff.text
      .split('\n')
      .filter((l) => /^[+-]/.test(l) && l.length < 400 && !/^(\+\+\+|---) /.test(l));
    expect(changed.length).toBeGreaterThan(100);
    for (const line of changed) expect(out).toContain(line);
    expect(out).toMatch(/\[… generated file: \d+ lines removed, \d+ added\]/);
    expect(out.length).toBeLessThan(diff.text.length * 0.7);
  });

  itWithCorpus('keeps every changed line and summarises source maps as counts', () => {
    const ky = corpusItem('diff-ky-1.2.0-1.2.1.diff');
    const out = diffTransform.compress(ky.text, ctx())?.text ?? '';
    const changed = ky.text
      .split('\n')
      .filter((l) => /^[+-]/.test(l) && l.length < 400 && !/^(\+\+\+|---) /.test(l));
    for (const line of changed) expect(out).toContain(line);
    expect(out).toMatch(/\[… generated file: \d+ lines removed, \d+ added\]/);
    expect(out.length).toBeLessThan(ky.text.length / 10);
  });

  it('drops the ---/+++ lines a diff --git line already names and keeps every changed line', () => {
    const diff = realOutput('diff-signal-exit');
    const out = diffTransform.compress(diff.text, ctx(diff.question))?.text ?? '';
    expect(out).not.toMatch(/^(--- a|\+\+\+ b)\//m);
    for (const header of diff.text.split('\n').filter((l) => l.startsWith('diff --git ')))
      expect(out).toContain(header);
    // Every changed line of the files a reader reads; source maps are summarised, as the spec above says.
    const sources = diff.text
      .split(/^(?=diff --git )/m)
      .filter((f) => !f.split('\n', 1)[0]?.endsWith('.map'));
    const changed = sources
      .join('')
      .split('\n')
      .filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
    expect(changed.length).toBeGreaterThan(100);
    for (const line of changed) expect(out).toContain(line);
    for (const needle of diff.needles) expect(out).toContain(needle);
    expect(out).toMatch(/\[… \d+ unchanged lines\]/);
    expect(out.length).toBeLessThan(diff.text.length * 0.8);
  });

  itWithCorpus(
    'drops the ---/+++ lines a diff -ru line already names and keeps every changed line of a small diff',
    () => {
      const semver = corpusItem('diff-semver-7.5.4-7.6.0.diff');
      const out = diffTransform.compress(semver.text, ctx(semver.question))?.text ?? '';
      expect(out).not.toMatch(/^(---|\+\+\+) semver/m);
      expect(out).toContain(
        'diff -ru semver-7.5.4/package/internal/re.js semver-7.6.0/package/internal/re.js',
      );
      const changed = semver.text.split('\n').filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
      for (const line of changed) expect(out).toContain(line);
      for (const needle of semver.needles) expect(out).toContain(needle);
      expect(out).toMatch(/\[… \d+ unchanged lines\]/);
      expect(out.length).toBeLessThan(semver.text.length * 0.8);
    },
  );

  it('lists the files only one side has once per directory', () => {
    const only = ['a.js', 'b.js', 'c.js'].map((f) => `Only in pkg-2/dist: ${f}`);
    const hunk = ['@@ -1,3 +1,3 @@', ' a', '-b', '+c', ' d'];
    const text = [
      'diff -ru pkg-1/x.js pkg-2/x.js',
      '--- pkg-1/x.js',
      '+++ pkg-2/x.js',
      ...hunk,
      ...only,
    ].join('\n');
    const out = diffTransform.compress(text, ctx())?.text ?? '';
    expect(out).toContain('Only in pkg-2/dist: a.js, b.js, c.js');
  });
});
