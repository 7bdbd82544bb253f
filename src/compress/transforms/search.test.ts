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
    expect(out).toMatch(/^\[… \d+ more in client\.ts, between lines \d+ and \d+\]$/m);
    expect(out.length).toBeLessThan(grep.text.length / 2.5);
  });

  itWithCorpus(
    'keeps the grep hits that match the question and counts the rest per file with their line span',
    () => {
      const grep = corpusItem('search-cobra-command-methods.txt');
      const out = search.compress(grep.text, ctx(grep.question))?.text ?? '';
      for (const needle of grep.needles) expect(out).toContain(needle);
      expect(out).toMatch(/^\[… \d{2,3} more in command\.go, between lines \d+ and \d+\]$/m);
      expect(out.length).toBeLessThan(grep.text.length / 5);
    },
  );

  itWithCorpus('reads a grep of a few dozen hits whole: every hit is one the agent asked for', () => {
    const grep = corpusItem('search-requests-timeout.txt');
    expect(grep.text.trim().split('\n').length).toBeLessThanOrEqual(40);
    expect(search.compress(grep.text, ctx(grep.question))).toBeUndefined();
  });

  it('keeps the first hit of every file grep searched and the assignments that set the asked-for names', () => {
    const grep = realOutput('search-grep-undici-timeout');
    const out = search.compress(grep.text, ctx(grep.question))?.text ?? '';
    const lines = grep.text.split('\n').filter(Boolean);
    const files = new Set(lines.map((l) => l.split(':')[0]));
    expect(files.size).toBeGreaterThan(10);
    for (const file of files) expect(out).toContain(lines.find((l) => l.startsWith(`${file}:`)));
    for (const line of lines.filter((l) => /this\[k(Headers|Body)Timeout\] = /.test(l)))
      expect(out).toContain(line);
    // Each file also shows its best hit for the question, so the bound is a little above a fifth.
    expect(out.length).toBeLessThan(grep.text.length / 4);
  });

  it('ranks a hit that matches one query term above every hit that matches none', () => {
    const hits = [
      ...Array.from({ length: 60 }, (_, i) => `src/net/pool.ts:${i + 1}:  const slot${i} = take(${i});`),
      'src/net/pool.ts:61:  const retries = options.retries ?? 3;',
      ...Array.from({ length: 60 }, (_, i) => `src/net/pool.ts:${i + 62}:  release(slot${i});`),
    ].join('\n');
    const out = search.compress(hits, ctx('how many retries by default?'))?.text ?? '';
    expect(out).toContain('src/net/pool.ts:61:  const retries = options.retries ?? 3;');
    expect(out).toMatch(/^\[… 119 more in pool\.ts, between lines 2 and 121\]$/m);
  });

  it('takes this[x] = …, obj.x = … and x: value for definitions of x', () => {
    const hits = [
      ...Array.from({ length: 60 }, (_, i) => `lib/agent.js:${i + 1}:    use(connectTimeout, ${i})`),
      'lib/agent.js:70:    this[kConnectTimeout] = connectTimeout ?? 10e3',
      'lib/agent.js:75:      connectTimeout: connectTimeout,',
      'lib/config.js:3:  connectTimeout: 10e3,',
      'lib/socket.js:9:  socket.connectTimeout = 5e3',
    ].join('\n');
    const out = search.compress(hits, ctx('where is the default connectTimeout set?'))?.text ?? '';
    for (const line of hits
      .split('\n')
      .slice(60)
      .filter((l) => !l.endsWith('connectTimeout,')))
      expect(out).toContain(line);
    // Passing the value along (`connectTimeout: connectTimeout,`) sets nothing.
    expect(out).not.toContain('connectTimeout: connectTimeout,');
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

  it('keeps the entries a question names in the directory it names, and names the rest by family', () => {
    const ls = realOutput('shell-ls-laR-mcp-sdk');
    const out = search.compress(ls.text, ctx(ls.question))?.text ?? '';
    for (const needle of ls.needles) expect(out).toContain(needle);
    expect(out).toMatch(/^\[… \d+ more entries: (\w+\.\{[\w.,]+\}, )+/m);
    expect(out.length).toBeLessThan(ls.text.length / 3);
  });

  it('keeps the direct dependencies of an npm ls tree, every unmet one, and the branch down to the one asked for', () => {
    const tree = realOutput('shell-npm-ls-all');
    const out = search.compress(tree.text, ctx(tree.question))?.text ?? '';
    const lines = tree.text.split('\n');
    for (const line of lines.filter((l) => /^[+`]-- |UNMET/.test(l))) expect(out).toContain(line);
    const target = lines.findIndex((l) => l.includes(tree.needles[1] as string));
    expect(out).toContain(lines[target]);
    expect(out).toMatch(/^ *\[… \d+ more under express@[\d.]+\]$/m);
    expect(out.length).toBeLessThan(tree.text.length / 2.5);
  });

  itWithCorpus('keeps ls -R directory headers and the entries a question names in a Debian crate', () => {
    const ls = corpusItem('shell-ls-laR-regex-crate.txt');
    const out = search.compress(ls.text, ctx(ls.question))?.text ?? '';
    for (const header of ls.text.split('\n').filter((l) => l.endsWith(':'))) expect(out).toContain(header);
    expect(out).toContain('re_unicode.rs');
  });

  it('names the rows a dpkg -l table leaves out by package, not by the last word of their description', () => {
    const header = [
      'Desired=Unknown/Install/Remove/Purge/Hold',
      '||/ Name                 Version          Architecture Description',
      '+++-====================-================-============-==========================',
    ];
    const rows = Array.from(
      { length: 120 },
      (_, i) =>
        `ii  libpkg${String(i).padStart(3, '0')}            1.${i}-1            amd64        shared library for task ${i}`,
    );
    const out = search.compress([...header, ...rows].join('\n'), ctx('find what is broken'))?.text ?? '';
    const note = out.split('\n').find((l) => l.startsWith('[… ')) ?? '';
    expect(note).toMatch(/more entries: libpkg\d{3}, libpkg\d{3}/);
    expect(note).not.toMatch(/: \d+, /);
  });
});
