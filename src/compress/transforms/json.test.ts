// The JSON transform on real API responses and npm output: still valid JSON, the asked-for fields and
// the rare items kept, what was dropped counted where it was.

import { describe, expect, it } from 'vitest';
import { corpusItem, itWithCorpus } from '../../../test/helpers/corpus.js';
import { realOutput } from '../../../test/helpers/real-outputs.js';
import { buildQuery } from '../query.js';
import { json } from './json.js';

const ctx = (question = '') => ({ query: buildQuery(question) });

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

  it('keeps the record a question names by its name among hundreds that mention it', () => {
    const packages = realOutput('json-npm-query-all');
    const out =
      json.compress(packages.text, ctx('which version of undici is installed, and where?'))?.text ?? '';
    const kept = JSON.parse(out) as Array<{ name?: string; location?: string }>;
    expect(kept.find((p) => p.name === 'undici')?.location).toBe('node_modules/undici');
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
