// The paths transform on real command output: every file the output names, once, in order; nothing that
// only looks like a path (URL routes, directories, MIME types).

import { describe, expect, it } from 'vitest';
import { realOutput } from '../../../test/helpers/real-outputs.js';
import { buildQuery } from '../query.js';
import { paths } from './paths.js';

const ctx = { query: buildQuery('') };

const pathsOf = (text: string) => paths.compress(text, ctx)?.text.split('\n') ?? [];

describe('paths transform', () => {
  it('keeps the files a grep names once each, without the place or the matched line', () => {
    const grep = realOutput('search-grep-undici-timeout').text;
    const files = [
      ...new Set(
        grep
          .split('\n')
          .filter(Boolean)
          .map((line) => line.slice(0, line.indexOf(':'))),
      ),
    ];
    expect(files.length).toBeGreaterThan(5);
    expect(pathsOf(grep).filter((path) => path.startsWith('node_modules/undici/lib/'))).toEqual(files);
  });

  it('keeps both sides of every file a diff shows', () => {
    const diff = realOutput('diff-signal-exit').text;
    const kept = pathsOf(diff);
    for (const header of diff.split('\n').filter((line) => line.startsWith('diff --git '))) {
      const [, a, b] = header.split(' ').slice(1);
      expect(kept).toContain(a);
      expect(kept).toContain(b);
    }
    expect(kept.join('\n').length).toBeLessThan(diff.length / 10);
  });

  it('keeps the source files in a log’s stack traces and drops the routes and MIME types it logged', () => {
    const log = realOutput('log-express-debug').text;
    const kept = pathsOf(log);
    expect(kept.some((path) => path.endsWith('node_modules/body-parser/lib/read.js'))).toBe(true);
    expect(log).toContain('/orders/7');
    expect(kept).not.toContain('/orders/7');
    expect(kept).not.toContain('application/json');
    expect(new Set(kept).size).toBe(kept.length);
  });

  it('keeps dotfiles and well-known names without an extension, and a file named at the end of a sentence', () => {
    const text = 'wrote .env and Makefile\nsee docs/setup.md.\nsrc/\n';
    expect(pathsOf(text)).toEqual(['.env', 'Makefile', 'docs/setup.md']);
  });

  it('gives the same paths for the same output, and nothing when the output is no longer than its paths', () => {
    const grep = realOutput('search-grep-openai-retries').text;
    expect(paths.compress(grep, ctx)).toEqual(paths.compress(grep, ctx));
    expect(paths.compress('a.ts', ctx)).toBeUndefined();
  });
});
