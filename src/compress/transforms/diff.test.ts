// The diff transform on real diffs: headers and every changed line kept, unchanged context and generated
// files counted.

import { describe, expect, it } from 'vitest';
import { corpusItem, itWithCorpus } from '../../../test/helpers/corpus.js';
import { realOutput } from '../../../test/helpers/real-outputs.js';
import { buildQuery } from '../query.js';
import { diff as diffTransform } from './diff.js';

const ctx = (question = '') => ({ query: buildQuery(question) });

/** The hunk headers of the files a reader reads: not deleted, not generated (source maps). */
const readHunks = (diff: string) =>
  diff
    .split(/^(?=diff --git )/m)
    .filter((f) => !/^deleted file mode/m.test(f) && !f.split('\n', 1)[0]?.endsWith('.map'))
    .flatMap((f) => f.split('\n').filter((l) => l.startsWith('@@ ')));

describe('diff transform', () => {
  it('opens a large diff with its files and counts, keeps the manifest whole and outlines big files by hunk', () => {
    const diff = realOutput('diff-content-type');
    const out = diffTransform.compress(diff.text, ctx('summarise this'))?.text ?? '';
    const sections = diff.text.split(/^(?=diff --git )/m).filter(Boolean);
    expect(out).toMatch(new RegExp(`^${sections.length} files changed \\(\\+added -removed\\):$`, 'm'));
    for (const section of sections) {
      const path = section.split('\n', 1)[0]?.split(' b/')[1] as string;
      const added = section.split('\n').filter((l) => /^\+(?!\+\+ )/.test(l)).length;
      const removed = section.split('\n').filter((l) => /^-(?!-- )/.test(l)).length;
      expect(out).toContain(` ${path} +${added} -${removed}`);
    }
    const manifest = sections.find((f) => f.split('\n', 1)[0]?.endsWith('/package.json')) ?? '';
    for (const line of manifest.split('\n').filter((l) => /^[+-](?!(\+\+|--) )/.test(l)))
      expect(out).toContain(line);
    for (const hunk of readHunks(diff.text)) expect(out).toContain(hunk);
    expect(out).toMatch(/^\[… \d+ changed lines: \+\d+ -\d+\]$/m);
    expect(out).toMatch(/^\[… deleted: \d+ lines\]$/m);
    expect(out).toMatch(/\[… generated file: \d+ lines removed, \d+ added\]/);
    expect(out.length).toBeLessThan(diff.text.length / 4);
  });

  it('keeps the changed lines of a big file that carry the identifiers a question names', () => {
    const diff = realOutput('diff-git-log-ansi-escapes');
    const out = diffTransform.compress(diff.text, ctx('how is eraseLines defined now?'))?.text ?? '';
    const erase = diff.text.split('\n').filter((l) => /^[+-].*\beraseLines\b/.test(l));
    expect(erase.length).toBeGreaterThan(2);
    for (const line of erase) expect(out).toContain(line);
    expect(out.length).toBeLessThan(diff.text.length / 3);
  });

  it("keeps git log's commit headers and --stat file list, and names a dual build's repeated changes once", () => {
    const log = realOutput('diff-git-log-stat-entities');
    const out = diffTransform.compress(log.text, ctx('summarise this'))?.text ?? '';
    const stat = log.text
      .split('\n')
      .filter((l) => /^ \S.* \| +\d+|^commit |^Author: |^Date: |files? changed, /.test(l));
    expect(stat.length).toBeGreaterThan(100);
    for (const line of stat) expect(out).toContain(line);
    expect(out).toMatch(/^\[… the same \d+ changed lines as dist\/\S+\]$/m);
    expect(out.length).toBeLessThan(log.text.length / 10);
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

  it('drops the ---/+++ lines a diff --git line already names and keeps every hunk header', () => {
    const diff = realOutput('diff-signal-exit');
    const out = diffTransform.compress(diff.text, ctx(diff.question))?.text ?? '';
    expect(out).not.toMatch(/^(--- a|\+\+\+ b)\//m);
    for (const header of diff.text.split('\n').filter((l) => l.startsWith('diff --git ')))
      expect(out).toContain(header);
    for (const hunk of readHunks(diff.text)) expect(out).toContain(hunk);
    for (const needle of diff.needles) expect(out).toContain(needle);
    expect(out.length).toBeLessThan(diff.text.length * 0.25);
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
