// The search transform on real grep hits and listings: the hits that answer the question and the lines
// that define the searched name kept, the rest counted per file.

import { describe, expect, it } from 'vitest';
import { corpusItem, itWithCorpus } from '../../../test/helpers/corpus.js';
import { realOutput } from '../../../test/helpers/real-outputs.js';
import { buildQuery } from '../query.js';
import { search } from './search.js';

const ctx = (question = '') => ({ query: buildQuery(question) });

describe('search transform', () => {
  it('keeps the grep hits that answer the question and counts the rest per file with their line span', () => {
    const grep = realOutput('search-grep-openai-retries');
    const out = search.compress(grep.text, ctx(grep.question))?.text ?? '';
    for (const needle of grep.needles) expect(out).toContain(needle);
    expect(out).toMatch(/^\[… \d+ more in client\.ts, lines \d+-\d+\]$/m);
    expect(out.length).toBeLessThan(grep.text.length / 2.5);
  });

  itWithCorpus(
    'keeps the grep hits that match the question and counts the rest per file with their line span',
    () => {
      const grep = corpusItem('search-cobra-command-methods.txt');
      const out = search.compress(grep.text, ctx(grep.question))?.text ?? '';
      for (const needle of grep.needles) expect(out).toContain(needle);
      expect(out).toMatch(/^\[… 10\d more in command\.go, lines \d+-\d+\]$/m);
      expect(out.length).toBeLessThan(grep.text.length / 5);
    },
  );

  itWithCorpus(
    'keeps the lines that set the searched name (timeout=None, timeout = Timeout(…)) but not pass-throughs',
    () => {
      const grep = corpusItem('search-requests-timeout.txt');
      const out = search.compress(grep.text, ctx(grep.question))?.text ?? '';
      expect(out).toContain(
        'adapters.py:476:                timeout = TimeoutSauce(connect=connect, read=read)',
      );
      expect(out).toContain('sessions.py:510:        timeout=None,');
      expect(out).not.toContain('timeout=timeout,');
    },
  );

  it('keeps the first hit of every file grep searched', () => {
    const grep = realOutput('search-grep-undici-timeout');
    const out = search.compress(grep.text, ctx(grep.question))?.text ?? '';
    const lines = grep.text.split('\n').filter(Boolean);
    const files = new Set(lines.map((l) => l.split(':')[0]));
    expect(files.size).toBeGreaterThan(10);
    for (const file of files) expect(out).toContain(lines.find((l) => l.startsWith(`${file}:`)));
    expect(out.length).toBeLessThan(grep.text.length / 5);
  });

  itWithCorpus('keeps the first hit of every file and the best hits of the files a question names', () => {
    const grep = corpusItem('search-regex-unwrap.txt');
    const out = search.compress(grep.text, ctx(grep.question))?.text ?? '';
    const lines = grep.text.split('\n').filter(Boolean);
    const files = new Set(lines.map((l) => l.split(':')[0]));
    expect(files.size).toBe(11);
    for (const file of files) expect(out).toContain(lines.find((l) => l.startsWith(`${file}:`)));
    expect(out).toContain('src/exec.rs:1326:            return hint.unwrap();');
    expect(out.length).toBeLessThan(grep.text.length / 4);
  });

  itWithCorpus('keeps the full lines of the largest files in a find listing', () => {
    const find = corpusItem('shell-find-cobra.txt');
    const out = search.compress(find.text, ctx('where is the license'))?.text ?? '';
    for (const size of ['89148', '70482', '52668', '32905'])
      expect(out).toMatch(new RegExp(`^-rw-r--r-- +${size} .*\\.go$`, 'm'));
  });

  it('keeps ls -R directory headers and the entries a question names', () => {
    const ls = realOutput('shell-ls-laR-openai-src');
    const out = search.compress(ls.text, ctx(ls.question))?.text ?? '';
    for (const header of ls.text.split('\n').filter((l) => l.endsWith(':'))) expect(out).toContain(header);
    for (const needle of ls.needles) expect(out).toContain(needle);
  });

  itWithCorpus('keeps ls -R directory headers and the entries a question names in a Debian crate', () => {
    const ls = corpusItem('shell-ls-laR-regex-crate.txt');
    const out = search.compress(ls.text, ctx(ls.question))?.text ?? '';
    for (const header of ls.text.split('\n').filter((l) => l.endsWith(':'))) expect(out).toContain(header);
    expect(out).toContain('re_unicode.rs');
  });
});
