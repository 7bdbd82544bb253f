// The JSON transform on real API responses and npm output: still valid JSON, the asked-for fields and
// the rare items kept, what was dropped counted where it was; JSON an agent cut short read up to the cut.

import { describe, expect, it } from 'vitest';
import { claudeCodeBash, claudeCodeCutAt, codexOutput } from '../../../test/helpers/agent-cuts.js';
import { corpusItem, itWithCorpus } from '../../../test/helpers/corpus.js';
import { compressText } from '../../../test/helpers/engine.js';
import { realOutput, realOutputs } from '../../../test/helpers/real-outputs.js';
import { buildQuery } from '../query.js';
import { json } from './json.js';

const ctx = (question = '') => ({ query: buildQuery(question) });

function canParse(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

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

  itWithCorpus(
    'keeps a repository’s default branch and its short topic list under a generic question',
    () => {
      const repo = corpusItem('json-octokit-get-repository.json');
      const out = json.compress(repo.text, ctx('find what is broken and fix it'))?.text ?? '';
      expect(out).toContain('"default_branch": "master"');
      expect(out).toContain('"topics": ["fixtures", "hello", "hello-world"]');
    },
  );

  it('shows a short list of plain values whole rather than one item and a count of the rest', () => {
    const doc = {
      items: Array.from({ length: 60 }, (_, i) => ({
        id: i,
        name: `service-${i}`,
        tags: ['prod', 'eu', `v${i % 3}`],
        links: { self: `https://api.example.test/services/${i}`, logs: `https://logs.example.test/${i}` },
      })),
    };
    const out = json.compress(JSON.stringify(doc, null, 2), ctx('find what is broken'))?.text ?? '';
    const shown = (JSON.parse(out) as { items: Array<{ tags?: string[] }> }).items.filter(
      (item) => item.tags,
    );
    expect(shown.length).toBeGreaterThan(0);
    for (const item of shown) expect(item.tags).toHaveLength(3);
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

const NOTICE = /\n\.\.\. \[\d+ lines truncated\] \.\.\.$/;

/** The compressed JSON above the note on where the agent cut, and the note. */
function partsOf(out: string): { json: string; note: string } {
  const at = out.indexOf('\n(the agent cut the output here: ');
  return { json: out.slice(0, at), note: out.slice(at + 1, out.indexOf('\n', at + 1)) };
}

describe('json transform on JSON an agent cut short', () => {
  const deps = realOutput('json-npm-query-root-deps');

  it('reads a prefix cut anywhere the same way twice, never longer, closed, the agent’s notice last', () => {
    // The cut the sweep moves is the Bash tool's own.
    expect(claudeCodeCutAt(deps.text.trimEnd(), 30_000)).toBe(claudeCodeBash(deps.text));
    for (let at = 25_000; at < 30_000; at += 53) {
      const text = claudeCodeCutAt(deps.text, at);
      const out = json.compress(text, ctx(deps.question));
      expect(out, `cut at ${at}`).toBeDefined();
      expect(json.compress(text, ctx(deps.question))).toEqual(out);
      expect(out!.text.length).toBeLessThan(text.length / 3);
      expect(out!.text).toMatch(NOTICE);
      expect(() => JSON.parse(partsOf(out!.text).json)).not.toThrow();
      expect(out!.summary).toMatch(
        /^JSON cut short by the agent, read up to the cut; \d+ of \d+ JSON values omitted/,
      );
    }
  });

  it('says where the cut fell: inside a string, a key or a number, after a key, between items', () => {
    const all = realOutput('json-npm-query-all').text;
    const cutPoint = (text: string, pattern: RegExp, offset: number) => {
      const found = new RegExp(pattern.source, 'g');
      found.lastIndex = 20_000;
      return (found.exec(text)?.index ?? 0) + offset;
    };
    const places: Array<[string, number, RegExp]> = [
      [
        deps.text,
        cutPoint(deps.text, /"description": "/, 20),
        /stops inside the string at \.\[\d+\]\.description;/,
      ],
      [deps.text, cutPoint(deps.text, /"version"/, 4), /stops inside a key of the object at \.\[\d+\];/],
      [deps.text, cutPoint(deps.text, /"version":/, 10), /stops after the key "version", before its value;/],
      [deps.text, cutPoint(deps.text, /\n {2}\},\n/, 5), /stops between items of \.;/],
      [
        deps.text,
        cutPoint(deps.text, /": false/, 5),
        /stops inside the value at \.\[\d+\]\.[\w.[\]"-]+, left out;/,
      ],
      [
        all,
        cutPoint(all, /"tabWidth": 4/, 13),
        /stops inside the number at \.\[\d+\]\.prettier\.tabWidth, left out;/,
      ],
    ];
    for (const [text, at, place] of places) {
      const out = json.compress(claudeCodeCutAt(text, at), ctx())?.text ?? '';
      const { json: kept, note } = partsOf(out);
      expect(note).toMatch(place);
      expect(note).toMatch(/; headroom closed the \d+ brackets? it left open\)$/);
      expect(() => JSON.parse(kept)).not.toThrow();
    }
  });

  it('keeps the needles before the cut of every real JSON output Claude Code cut, in under half the tokens', () => {
    const long = realOutputs().filter((o) => o.category === 'json' && o.text.length > 30_000);
    expect(long.length).toBeGreaterThanOrEqual(3);
    for (const output of long) {
      const text = claudeCodeBash(output.text);
      const result = compressText(text, { query: output.question, memo: false });
      expect([output.name, result.kind, result.transform]).toEqual([output.name, 'json', 'json']);
      expect(result.tokensAfter).toBeLessThan(result.tokensBefore / 2);
      for (const needle of output.needles.filter((n) => text.includes(n)))
        expect(result.text).toContain(needle);
    }
  });

  it('compresses both ends Codex kept as JSON, its notice between them and the end closing as it did', () => {
    const long = realOutputs().filter((o) => o.category === 'json' && Buffer.byteLength(o.text) > 40_000);
    expect(long.length).toBeGreaterThanOrEqual(2);
    for (const output of long) {
      const text = codexOutput(output.text);
      const notice = /…\d+ tokens truncated…/.exec(text)?.[0] as string;
      const result = compressText(text, { query: output.question, memo: false });
      expect([output.name, result.kind, result.transform]).toEqual([output.name, 'json', 'json']);
      expect(result.tokensAfter).toBeLessThan(result.tokensBefore / 3);
      const lines = result.text.split('\n');
      expect(lines).toContain(notice);
      expect(() => JSON.parse(partsOf(result.text).json)).not.toThrow();
      // The last line before the marker is the document's own last line.
      expect(lines.at(-2)).toBe(output.text.trimEnd().split('\n').at(-1));
      for (const needle of output.needles.filter((n) => text.includes(n)))
        expect(result.text).toContain(needle);
    }
  });

  it('keeps Codex’s notice where its cut falls inside a string, so that what it kept still parses as JSON', () => {
    const base = realOutput('json-npm-query-root-deps').text;
    // Where each of Codex's two cuts falls moves with the document's bytes (install paths, versions): longer
    // text in its first name moves the first cut, in its last name (inside the kept end) the second.
    const shifted = (head: number, tail: number) => {
      const out = base.replace('"name": "', `"name": "${'x'.repeat(head)}`);
      const at = out.lastIndexOf('"name": "') + '"name": "'.length;
      return `${out.slice(0, at)}${'y'.repeat(tail)}${out.slice(at)}`;
    };
    const heads = Array.from({ length: 40 }, (_, i) => i * 3);
    // A second cut that falls inside a string too, so that for some first cut the two ends join as JSON.
    const tail = Array.from({ length: 80 }, (_, t) => t).find((t) =>
      heads.some((head) => canParse(codexOutput(shifted(head, t)))),
    );
    expect(tail).toBeDefined();
    let parsedWhole = 0;
    for (const shift of heads) {
      const output = shifted(shift, tail!);
      const text = codexOutput(output);
      if (canParse(text)) parsedWhole++;
      const notice = /…\d+ tokens truncated…/.exec(text)?.[0] as string;
      const result = compressText(text, { memo: false });
      const lines = result.text.split('\n');
      expect([shift, result.kind, result.transform]).toEqual([shift, 'json', 'json']);
      expect(lines, `shift ${shift}`).toContain(notice);
      expect(lines.at(-2)).toBe(output.trimEnd().split('\n').at(-1));
      expect(result.tokensAfter).toBeLessThan(result.tokensBefore / 3);
    }
    // Some of those cuts fell inside a string value: the text parsed, with the notice inside that string.
    expect(parsedWhole).toBeGreaterThan(0);
  });

  it('keeps the error and the problems an npm ls tree reports at its end when Codex kept the end', () => {
    const tree = JSON.parse(realOutput('json-npm-ls-all').text) as Record<string, unknown>;
    const problem = 'missing: left-pad@^1.3.0, required by headroom-cli@0.1.0';
    const failing = {
      ...tree,
      problems: [problem],
      error: { code: 'ELSPROBLEMS', summary: problem, detail: '' },
    };
    const out =
      json.compress(codexOutput(JSON.stringify(failing, null, 2)), ctx('what is broken?'))?.text ?? '';
    expect(out).toContain(`"problems": ["${problem}"]`);
    expect(out).toContain('"code": "ELSPROBLEMS"');
  });

  it('keeps the last lines Codex kept when the JSON is followed by other output', () => {
    const tree = realOutput('json-npm-ls-all').text;
    const stderr =
      'npm error code ELSPROBLEMS\nnpm error missing: left-pad@^1.3.0, required by headroom-cli@0.1.0';
    const text = codexOutput(`${tree.trimEnd()}\n${stderr}\n`);
    const out = json.compress(text, ctx())?.text ?? '';
    expect(out.length).toBeLessThan(text.length / 3);
    expect(out.endsWith(stderr)).toBe(true);
  });

  itWithCorpus(
    'shrinks paginated GitHub issues Claude Code cut to well under half, keeping the needles before the cut',
    () => {
      const issues = corpusItem('json-octokit-paginate-issues.json');
      const text = claudeCodeBash(issues.text);
      const result = compressText(text, { query: issues.question, memo: false });
      expect(result.kind).toBe('json');
      // 8,271 tokens as Claude Code sends them; read as something other than JSON, it kept over 40% of them.
      expect(result.tokensAfter).toBeLessThan(result.tokensBefore / 4);
      const before = issues.needles.filter((n) => issues.text.indexOf(n) + n.length <= 30_000);
      expect(before).toHaveLength(3);
      for (const needle of before) expect(result.text).toContain(needle);
    },
  );
});
