// The text and HTML transforms on real READMEs, man pages and pages: headings and the paragraphs that
// answer the question kept, in their original order.

import { describe, expect, it } from 'vitest';
import { corpusItem, itWithCorpus } from '../../../test/helpers/corpus.js';
import { realOutput } from '../../../test/helpers/real-outputs.js';
import { buildQuery } from '../query.js';
import { html } from './html.js';
import { text } from './text.js';

const ctx = (question = '') => ({ query: buildQuery(question) });

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
