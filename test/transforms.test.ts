import { describe, expect, it } from 'vitest';
import { template } from '../src/compress/lines.js';
import { buildQuery } from '../src/compress/query.js';
import { diff as diffTransform } from '../src/compress/transforms/diff.js';
import { html } from '../src/compress/transforms/html.js';
import { json } from '../src/compress/transforms/json.js';
import { logs } from '../src/compress/transforms/logs.js';
import { search } from '../src/compress/transforms/search.js';
import { text } from '../src/compress/transforms/text.js';
import { corpusItem, corpusItems, describeWithCorpus, itWithCorpus } from './helpers/corpus.js';
import { detectKind } from './helpers/engine.js';
import { realOutput, realOutputs, serverLogLines } from './helpers/real-outputs.js';

const ctx = (question = '') => ({ query: buildQuery(question) });

/** The kind of content each category of output holds: build output reads as logs, listings as search hits. */
const KIND_OF: Record<string, string> = {
  json: 'json',
  logs: 'logs',
  build: 'logs',
  search: 'search',
  shell: 'search',
  diff: 'diff',
  code: 'code',
  text: 'text',
};

// Real outputs detect does not classify as what they hold: npm's debug log (`12 silly …` lines carry neither a
// timestamp nor a level detect knows) and a bare `find` listing (paths without sizes) both read as text.
// `it.fails` keeps that visible: it turns red once detect gets them right.
const MISCLASSIFIED = new Set(['log-npm-ci-offline', 'shell-find-zod-src']);

describe('detect', () => {
  itWithCorpus('classifies every corpus item as the kind of content it holds', () => {
    for (const item of corpusItems())
      expect([item.name, detectKind(item.text)]).toEqual([item.name, KIND_OF[item.category]]);
  });

  for (const item of realOutputs()) {
    const test = MISCLASSIFIED.has(item.name) ? it.fails : it;
    test(`classifies ${item.name} as ${KIND_OF[item.category]}`, () => {
      expect(detectKind(item.text)).toBe(KIND_OF[item.category]);
    });
  }

  it('recognises an HTML page but not a README that opens with an HTML banner', () => {
    expect(detectKind('<!DOCTYPE html><html><body><p>hi</p></body></html>')).toBe('html');
    const readme = realOutput('text-node-fetch-readme').text;
    expect(readme.startsWith('<div align="center">')).toBe(true);
    expect(detectKind(readme)).toBe('text');
  });
});

describe('logs transform', () => {
  it('keeps the one error line when a 10k-line server log is compressed', () => {
    const { routine, error } = serverLogLines();
    const lines = Array.from({ length: 10_000 }, (_, i) => routine[i % routine.length] as string);
    lines.splice(7_321, 0, error);
    const out = logs.compress(lines.join('\n'), ctx());
    expect(out?.text).toContain(error);
    expect(out?.text.length).toBeLessThan(lines.join('\n').length / 10);
    expect(out?.summary).toBe(
      `${10_001 - (out?.text.split('\n').filter((l) => !l.startsWith('[…') && !l.startsWith('  ') && l !== 'Repeated lines (# = varying value):').length ?? 0)} of 10001 log lines omitted`,
    );
  });

  it('collapses the requests of a server log into counted templates with their line span', () => {
    const log = realOutput('log-express-debug');
    const out = logs.compress(log.text, ctx(log.question))?.text ?? '';
    const at = log.text
      .split('\n')
      .flatMap((l, i) => (/^\S+Z router dispatching GET /.test(l) ? [i + 1] : []));
    expect(at.length).toBeGreaterThan(100);
    expect(out).toContain(`  ${at.length}× # router dispatching GET # (lines ${at[0]}-${at.at(-1)})`);
    expect(out).toContain(log.text.trimEnd().split('\n').at(-1));
    expect(out.length).toBeLessThan(log.text.length / 20);
  });

  itWithCorpus('collapses repeated lines into counted templates and keeps the last occurrence', () => {
    const apache = corpusItem('log-apache-2k.log');
    const out = logs.compress(apache.text, ctx())?.text ?? '';
    expect(out).toMatch(/^ {2}569× \[# # # # #\] \[notice\] workerEnv\.init\(\) ok # \(lines 1-1999\)/m);
    expect(out).toContain(apache.text.trimEnd().split('\n').at(-1));
  });

  it('keeps the first error of every file tsc names and lists the names a repeated error was about', () => {
    const tsc = realOutput('build-tsc-eventsource-lib-es5');
    const out = logs.compress(tsc.text, ctx(tsc.question))?.text ?? '';
    const files = new Set(tsc.text.match(/^\S+(?=\(\d+,\d+\): error TS)/gm));
    expect(files.size).toBeGreaterThan(2);
    for (const file of files) expect(out).toContain(`${file}(`);
    const missing = tsc.text.match(/(?<=Cannot find name ')\w+(?=')/g) ?? [];
    const commonest = missing.sort(
      (a, b) => missing.filter((m) => m === b).length - missing.filter((m) => m === a).length,
    )[0];
    expect(out).toMatch(new RegExp(`names: .*'${commonest}'`));
    for (const needle of tsc.needles) expect(out).toContain(needle);
  });

  itWithCorpus(
    'keeps every distinct compiler error with its file and lists the names a repeated error was about',
    () => {
      const tsc = corpusItem('build-tsc-rxjs-ajax-lib-es5.txt');
      const out = logs.compress(tsc.text, ctx(tsc.question))?.text ?? '';
      const files = new Set(
        tsc.text
          .split('\n')
          .map((l) => l.split('(')[0])
          .filter(Boolean),
      );
      for (const file of files) expect(out).toContain(`${file}(`);
      expect(out).toMatch(/names: .*'URLSearchParams'/);
    },
  );

  itWithCorpus(
    'groups BlueGene/L lines whose node names differ into one template and keeps every FATAL and SEVERE kind',
    () => {
      const bgl = corpusItem('log-bgl-2k.log');
      const out = logs.compress(bgl.text, ctx(bgl.question))?.text ?? '';
      expect(out).toMatch(/^ {2}\d{3}× - # # # # # RAS KERNEL INFO generating # \(lines \d+-\d+\)$/m);
      const kinds = new Set(
        bgl.text.match(/RAS \w+ (FATAL|SEVERE) .*$/gm)?.map((l) => template(l).replace(/ ?#.*$/, '')),
      );
      for (const kind of kinds) expect(out).toContain(kind);
      expect(out.length).toBeLessThan(bgl.text.length / 6);
    },
  );

  itWithCorpus(
    'groups Android lines by tag and keys, not by the values of key=value pairs or column padding',
    () => {
      const android = corpusItem('log-android-2k.log');
      const out = logs.compress(android.text, ctx(android.question))?.text ?? '';
      expect(out).toMatch(/^ {2}\d+× # # # # D PowerManagerService: ready=#,policy=#/m);
      for (const line of android.text.split('\n').filter((l) => / E [\w.]+: /.test(l)))
        expect(out).toContain(line.split(/ E /)[1]?.split(' ')[0]);
      expect(out.length).toBeLessThan(android.text.length / 7);
    },
  );

  it('keeps a whole Java stack trace under its exception', () => {
    const trace = [
      '2024-01-01 10:00:00,000 ERROR [main] App: request failed',
      'java.lang.IllegalStateException: pool exhausted',
      '\tat com.example.Pool.take(Pool.java:42)',
      '\tat com.example.Handler.run(Handler.java:17)',
      'Caused by: java.net.SocketTimeoutException: connect timed out',
      '\t... 12 more',
    ];
    const routine = Array.from(
      { length: 400 },
      (_, i) =>
        `2024-01-01 10:00:${String(i % 60).padStart(2, '0')},000 INFO [main] App: served request ${i}`,
    );
    routine.splice(200, 0, ...trace);
    const out = logs.compress(routine.join('\n'), ctx())?.text ?? '';
    expect(out).toContain(trace.join('\n'));
  });
});

describeWithCorpus('compiler output', () => {
  const compressed = (name: string) => {
    const item = corpusItem(name);
    return { item, out: logs.compress(item.text, ctx(item.question))?.text ?? '' };
  };

  it('keeps the first g++ error whole: include chain, message and caret excerpt', () => {
    const { item, out } = compressed('build-gxx-nlohmann-lexer-cxx03.txt');
    expect(out).toContain(item.text.split('\n').slice(0, 6).join('\n'));
    expect(out.length).toBeLessThan(item.text.length / 2);
  });

  it('folds repeats of one kind into a count that names what they were about and where', () => {
    const { out } = compressed('build-gxx-nlohmann-lexer-cxx03.txt');
    expect(out).toMatch(
      /^ {2}4\d× error: '#' was not declared in this scope; names: ‘nullptr’, .*; in input_adapters\.hpp ×\d\d, lexer\.hpp ×\d+$/m,
    );
  });

  it('shows the first diagnostic of each kind in every file javac reports, and the totals', () => {
    const { item, out } = compressed('build-javac-cordova-CordovaWebViewImpl.txt');
    const files = new Set(item.text.match(/^\S+\.java(?=:\d+: error)/gm));
    expect(files.size).toBeGreaterThan(5);
    for (const file of files) expect(out).toContain(`${file}:`);
    expect(out).toContain('./org/apache/cordova/CoreAndroid.java:76: error: cannot find symbol');
    expect(out).toMatch(/^100 errors\nonly showing the first 100 errors, of 620 total/m);
  });

  it('keeps the install hint mypy prints under a missing-stubs error', () => {
    const { out } = compressed('build-mypy-strict-requests.txt');
    expect(out).toContain(
      'requests/compat.py:33: error: Library stubs not installed for "simplejson"  [import]\nrequests/compat.py:33: note: Hint: "python3 -m pip install types-simplejson"',
    );
    expect(out).toContain('Found 188 errors in 15 files (checked 18 source files)');
  });
});

describe('json transform', () => {
  it('keeps valid JSON, the error item and field ranges when a 1000-record array is crushed', () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({
      id: i + 1,
      status: 'ok',
      latency_ms: 20 + (i % 7),
      region: 'eu-west-1',
    }));
    records[613] = { id: 614, status: 'failed', latency_ms: 9_000, region: 'eu-west-1' };
    const text = JSON.stringify(records, null, 2);
    const out = json.compress(text, ctx('why are requests slow'))?.text ?? '';
    const parsed = JSON.parse(out) as unknown[];
    expect(out.length).toBeLessThan(text.length / 10);
    expect(parsed).toContainEqual(records[613]);
    expect(parsed).toContainEqual(records[0]);
    expect(parsed).toContainEqual(records[999]);
    expect(parsed.at(-1)).toEqual({
      _headroom: {
        items: 1000,
        id: { min: 1, max: 1000 },
        status: { '"ok"': 999, '"failed"': 1 },
        latency_ms: { min: 20, max: 9000 },
      },
    });
  });

  it('keeps valid JSON and the record a question names when an array of package records is crushed', () => {
    const packages = realOutput('json-npm-query-root-deps');
    const out = json.compress(packages.text, ctx(packages.question))?.text ?? '';
    expect(() => JSON.parse(out)).not.toThrow();
    for (const needle of packages.needles) expect(out).toContain(needle);
    expect(out.length).toBeLessThan(packages.text.length / 6);
  });

  itWithCorpus('keeps the fields a question names in a GitHub API object and drops link fields first', () => {
    const repo = corpusItem('json-octokit-get-repository.json');
    const out = json.compress(repo.text, ctx(repo.question))?.text ?? '';
    expect(() => JSON.parse(out)).not.toThrow();
    expect(out).toContain('"default_branch": "master"');
    expect(out).toContain('"topics": ["fixtures", "hello", "hello-world"]');
    expect(out).not.toContain('"keys_url"');
  });

  itWithCorpus('keeps the short scalar fields of a small object whole (a request body of flags)', () => {
    const fixture = corpusItem('json-octokit-branch-protection.json');
    const out = json.compress(fixture.text, ctx(fixture.question))?.text ?? '';
    const body = (JSON.parse(out) as Array<{ body?: unknown }>)[1]?.body;
    expect(body).toEqual({
      required_status_checks: null,
      required_pull_request_reviews: null,
      restrictions: null,
      enforce_admins: false,
    });
  });

  itWithCorpus('shows a header that every recorded response repeats only once', () => {
    const fixture = corpusItem('json-octokit-paginate-issues.json');
    const out = json.compress(fixture.text, ctx(fixture.question))?.text ?? '';
    const repeats = (text: string) => text.split('"x-frame-options": "deny"').length - 1;
    expect(repeats(fixture.text)).toBeGreaterThan(3);
    expect(repeats(out)).toBeLessThanOrEqual(1);
  });

  it('counts the keys and braces of nested containers against its budget (a deep npm ls tree)', () => {
    const tree = realOutput('json-npm-ls-all');
    const out = json.compress(tree.text, ctx(tree.question))?.text ?? '';
    expect(out.length).toBeLessThan(tree.text.length / 4);
    for (const needle of tree.needles) expect(out).toContain(needle);
  });

  it('returns nothing for text that is not JSON', () => {
    expect(json.compress('{"unterminated": ', ctx())).toBeUndefined();
  });
});

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

describe('text and html transforms', () => {
  it('keeps the README sections that answer the question', () => {
    for (const readme of [realOutput('text-ink-readme'), realOutput('text-node-fetch-readme')]) {
      const out = text.compress(readme.text, ctx(readme.question))?.text ?? '';
      for (const needle of readme.needles) expect(out, readme.name).toContain(needle);
      expect(out.length, readme.name).toBeLessThan(readme.text.length / 2);
    }
  });

  itWithCorpus('keeps the man page options and the paragraphs that answer the question', () => {
    const man = corpusItem('text-man-curl.txt');
    const out = text.compress(man.text, ctx(man.question))?.text ?? '';
    expect(out).toContain('--retry <num>');
    expect(out).toContain('-k, --insecure');
    expect(out.length).toBeLessThan(man.text.length / 4);
  });

  it('turns an HTML page into readable text', () => {
    const page = `<!doctype html><html><head><script>var x = 1;</script></head><body>${'<p>Filler paragraph about nothing in particular.</p>'.repeat(60)}<h2>Rate limits</h2><p>The API allows 5000 requests per hour.</p></body></html>`;
    const out = html.compress(page, ctx('what are the rate limits'))?.text ?? '';
    expect(out).toContain('The API allows 5000 requests per hour.');
    expect(out).not.toContain('<p>');
    expect(out).not.toContain('var x');
  });
});
