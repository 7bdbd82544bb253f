// The logs transform on real logs and compiler output: every distinct error kept with its context,
// repeats folded into templates with counts and line spans.

import { describe, expect, it } from 'vitest';
import { corpusItem, describeWithCorpus, itWithCorpus } from '../../../test/helpers/corpus.js';
import { realOutput, serverLogLines } from '../../../test/helpers/real-outputs.js';
import { logTemplate, template } from '../lines.js';
import { buildQuery } from '../query.js';
import { logs } from './logs.js';

const ctx = (question = '') => ({ query: buildQuery(question) });

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

  it('keeps the first 5xx and 403 request of each path in an access log, and counts the statuses', () => {
    const access = realOutput('log-http-access');
    const out = logs.compress(access.text, ctx('what went wrong here'))?.text ?? '';
    const failed = access.text.split('\n').filter((l) => /" (5\d\d|403) \d+ /.test(l));
    const kinds = new Set(
      failed.map((l) =>
        l
          .match(/"(\S+ \S+?)(\d+)? HTTP\/1\.1" (\d{3})/)
          ?.slice(1)
          .join(' '),
      ),
    );
    for (const line of failed)
      if (
        kinds.delete(
          line
            .match(/"(\S+ \S+?)(\d+)? HTTP\/1\.1" (\d{3})/)
            ?.slice(1)
            .join(' '),
        )
      )
        expect(out).toContain(line);
    for (const status of ['500', '502', '503', '403'])
      expect(out).toMatch(new RegExp(`^HTTP statuses: .*\\b${status}×\\d+`, 'm'));
    expect(out).toMatch(/^ {2}\d+× "GET \/api\/inventory" 503 \(lines \d+-\d+\)$/m);
    expect(out.length).toBeLessThan(access.text.length / 20);
  });

  it('never masks an HTTP status or an exit code into a template', () => {
    expect(logTemplate('GET /orders/7 503 12.1 ms')).toBe('GET # 503 # ms');
    expect(logTemplate('127.0.0.1 "GET /x HTTP/1.1" 404 12')).toContain('" 404 #');
    expect(logTemplate('worker exited with code 137 after 12 s')).toBe(
      'worker exited with code 137 after # s',
    );
    expect(logTemplate('request done status=502 in 20ms')).toBe('request done status=502 in #ms');
    expect(template('request done status=502 in 20ms')).toBe('request done status=# in #ms');
  });

  it("keeps how npm's silly-level run ended: its error code, the request that failed and the exit status", () => {
    for (const name of ['log-npm-install-silly', 'log-npm-ci-offline']) {
      const npm = realOutput(name);
      const out = logs.compress(npm.text, ctx('what went wrong here'))?.text ?? '';
      for (const needle of npm.needles) expect(out, name).toContain(needle);
      const exit = npm.text.split('\n').find((l) => /verbose exit 1$/.test(l));
      expect(out, name).toContain(exit);
    }
  });

  it('counts the routine lines of a log of many kinds past the first few kinds, and keeps how it ended', () => {
    const log = realOutput('log-npm-install-silly');
    const lines = log.text.split('\n');
    const out = logs.compress(log.text, ctx())?.text ?? '';
    const note = /^Routine lines of kinds seen once or twice: (\d+) not shown, of (\d+) kinds/m.exec(out);
    expect(note).not.toBeNull();
    const shown = new Set(out.split('\n'));
    const hidden = lines.filter((line) => line.trim() !== '' && !shown.has(line));
    expect(hidden.length).toBeGreaterThanOrEqual(Number(note?.[1]));
    // What the run ended with stays: its last lines, and every warning or error.
    for (const line of log.text.trimEnd().split('\n').slice(-3)) expect(shown.has(line)).toBe(true);
    for (const line of lines.filter((l) => /^npm (error|warn) /.test(l))) expect(shown.has(line)).toBe(true);
  });

  it('groups routine lines that differ only in the path they name', () => {
    const npm = realOutput('log-npm-ci-offline');
    const out = logs.compress(npm.text, ctx())?.text ?? '';
    const timers = npm.text.split('\n').filter((l) => / silly unfinished npm timer reifyNode:/.test(l));
    expect(timers.length).toBeGreaterThan(100);
    expect(out).toContain(`  ${timers.length}× # silly unfinished npm timer # # (lines `);
    const failed = npm.text.split('\n').filter((l) => / verbose reify failed optional dependency /.test(l));
    for (const line of [failed[0], failed.at(-1)]) expect(out).toContain(line);
    expect(out.length).toBeLessThan(npm.text.length / 8);
  });

  it('keeps errors that name different paths apart while routine lines naming them group', () => {
    const programs = ['./raptor', './condor', './osprey', './falcon', './kestrel', './harrier'];
    const lines = programs.flatMap((p, i) => [
      ...Array.from({ length: 20 }, (_, k) => `2024-01-01 10:0${i}:${10 + k} INFO loaded ${p}/part${k}`),
      `2024-01-01 10:0${i}:59 ERROR ciod: Error loading ${p}: invalid or missing program image`,
    ]);
    const out = logs.compress(lines.join('\n'), ctx())?.text ?? '';
    for (const line of lines.filter((l) => l.includes(' ERROR '))) expect(out).toContain(line);
    expect(out).toContain('  120× # INFO loaded # (lines 1-125)');
  });

  it('keeps every failing test of a unittest run, its exception and the tally', () => {
    const run = realOutput('build-python-unittest');
    const out = logs.compress(run.text, ctx('summarise this'))?.text ?? '';
    for (const line of run.text.split('\n').filter((l) => /^(FAIL|ERROR): |^FAILED \(|^Ran /.test(l)))
      expect(out).toContain(line);
    expect(out).toContain("KeyError: 'A-7'");
  });

  it('says how many more repeated patterns there are when it lists only the commonest', () => {
    const routine = Array.from({ length: 40 }, (_, k) =>
      Array.from(
        { length: 5 },
        (_, i) => `2024-01-01 10:00:0${i} INFO job${'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN'[k]} step ${i}`,
      ),
    ).flat();
    const out = logs.compress(routine.join('\n'), ctx())?.text ?? '';
    expect(out).toMatch(
      /^ {2}… and \d+ more patterns, \d+ lines \(headroom_retrieve with a query for their words\)$/m,
    );
  });

  it('collapses passing tests into one count and keeps every failing one of a node --test run, with its tally', () => {
    const tap = realOutput('build-node-test-tap');
    const out = logs.compress(tap.text, ctx('summarise this'))?.text ?? '';
    const passing = tap.text.split('\n').filter((l) => /^\s+ok \d+ - /.test(l)).length;
    expect(out).toMatch(new RegExp(`^ {2}${passing}× ok # - … \\(a passing test\\)`, 'm'));
    for (const line of tap.text.split('\n').filter((l) => /not ok \d+ - |^# (pass|fail) \d+$/.test(l)))
      expect(out).toContain(line);
    expect(out.length).toBeLessThan(tap.text.length / 2);
  });

  it('keeps every file compileall failed on and the first excerpt of each kind of SyntaxError', () => {
    const run = realOutput('build-python-compileall');
    const out = logs.compress(run.text, ctx('summarise this'))?.text ?? '';
    for (const line of run.text.split('\n').filter((l) => /^\s+File "/.test(l))) expect(out).toContain(line);
    for (const message of new Set(run.text.split('\n').filter((l) => /^\w*Error: /.test(l))))
      expect(out).toContain(message);
  });

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

  it('folds repeats of one kind into a count that names what they were about and every place', () => {
    const { item, out } = compressed('build-gxx-nlohmann-lexer-cxx03.txt');
    const list = out.split('\n').find((l) => /^ {2}\d+× error: '#' was not declared in this scope;/.test(l));
    expect(list).toMatch(/; names: ‘enable_if_t’, ‘nullptr’, .*; at \S+\.hpp:\d+, /);
    const places = item.text.match(/^\S+(?=:\d+:\d+: error: ‘\w+’ was not declared in this scope$)/gm) ?? [];
    const headers = item.text
      .split('\n')
      .filter((l) => /: error: ‘\w+’ was not declared in this scope$/.test(l));
    expect(places.length).toBeGreaterThan(40);
    for (const header of headers) {
      const [path, line] = header.split(':');
      const place = `${path?.slice(path.lastIndexOf('/') + 1)}:${line}`;
      expect(out.includes(header) || list?.includes(`${place},`) || list?.endsWith(place)).toBe(true);
    }
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
