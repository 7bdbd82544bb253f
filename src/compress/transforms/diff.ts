// Unified diffs (git diff, git log -p, diff -ru): commit headers, file and hunk headers stay. A small diff
// keeps every changed line with one line of context; a large one opens with the files and their +/- counts,
// keeps small files and the files the query names whole, and of big rewritten files the hunk headers and
// the changed lines that carry the query's identifiers, with counts of the rest. Generated files (lockfiles,
// source maps, minified bundles, snapshots) become counts.

import { looksLikeDiff } from '../detect.js';
import { splitLines } from '../lines.js';
import { containsTerm, type Query, relevance, termWeights } from '../query.js';
import type { Transform } from '../types.js';

const FILE_START = /^(diff |Index: |Only in |Binary files |commit [0-9a-f]{7,64}\b)/;
const HEADER =
  /^(--- |\+\+\+ |index |new file mode|deleted file mode|old mode|new mode|similarity index|dissimilarity index|rename (from|to)|copy (from|to)|={10,})/;
const HUNK = /^@@ /;
const GENERATED =
  /(\.map|\.min\.(js|css)|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|Pipfile\.lock|go\.sum|composer\.lock|Gemfile\.lock|\.snap)(\s|$)/;
const HUGE_LINE = 2000;
const LONG_LINE = 400;
const CONTEXT = 1;
/** Changed lines up to which a diff keeps every one of them. */
const SMALL_DIFF = 400;
/** Changed lines up to which a file of a large diff keeps all of its changes. */
const SMALL_FILE = 40;
// Manifests say what a release changed (its version, entry points, engines, dependencies): kept whole.
const MANIFEST =
  /^(package\.json|Cargo\.toml|pyproject\.toml|setup\.(py|cfg)|go\.mod|pom\.xml|build\.gradle(\.kts)?|composer\.json|Gemfile|\w+\.gemspec)$/;
/** Changed lines of one big file kept for carrying the query's identifiers. */
const MATCHES_PER_FILE = 24;

interface FileSection {
  header: string[];
  body: string[];
}

function sections(lines: readonly string[]): FileSection[] {
  const out: FileSection[] = [];
  let current: FileSection | undefined;
  lines.forEach((line, i) => {
    // A bare `--- a` + `+++ b` pair starts a file in `diff -u` output that has no `diff` line.
    const bareStart =
      line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && current?.body.length !== 0;
    const startsFile = FILE_START.test(line) || bareStart;
    if (startsFile || !current) {
      current = { header: [], body: [] };
      out.push(current);
    }
    if (current.body.length === 0 && (FILE_START.test(line) || HEADER.test(line))) current.header.push(line);
    else current.body.push(line);
  });
  return out;
}

/** A `commit <sha>` section of `git log`: author, date, message and `--stat` lines, all kept. */
const isCommit = (section: FileSection) => (section.header[0] ?? '').startsWith('commit ');

function isGenerated(section: FileSection): boolean {
  return section.header.some((h) => GENERATED.test(h)) || section.body.some((l) => l.length > HUGE_LINE);
}

function isChange(line: string): boolean {
  return HUNK.test(line) || line.startsWith('+') || line.startsWith('-') || line.startsWith('\\');
}

const isEdit = (line: string) => (line.startsWith('+') || line.startsWith('-')) && !HUNK.test(line);

function shortened(line: string): string {
  return line.length > LONG_LINE ? `${line.slice(0, 200)}… (${line.length - 200} more chars)` : line;
}

function trimHunks(body: readonly string[]): { lines: string[]; dropped: number } {
  const out: string[] = [];
  let dropped = 0;
  let i = 0;
  while (i < body.length) {
    const line = body[i] as string;
    if (isChange(line)) {
      out.push(shortened(line));
      i++;
      continue;
    }
    // A run of unchanged context: keep CONTEXT lines next to each change.
    let end = i;
    while (end < body.length && !isChange(body[end] as string)) end++;
    const run = body.slice(i, end);
    const afterChange = i > 0 && isChange(body[i - 1] as string) && !HUNK.test(body[i - 1] as string);
    const beforeChange = end < body.length && !HUNK.test(body[end] as string);
    const head = afterChange ? CONTEXT : 0;
    const tail = beforeChange ? CONTEXT : 0;
    if (run.length <= head + tail + 1) out.push(...run);
    else {
      out.push(...run.slice(0, head));
      const cut = run.length - head - tail;
      dropped += cut;
      if (cut >= 3) out.push(`[… ${cut} unchanged lines]`);
      out.push(...run.slice(run.length - tail));
    }
    i = end;
  }
  return { lines: out, dropped };
}

/**
 * A big file of a large diff: each hunk header, the changed lines that carry the query's identifiers,
 * and a count of the other changes under each hunk.
 */
function hunkOutline(
  body: readonly string[],
  weights: ReadonlyMap<string, number>,
): { lines: string[]; dropped: number } {
  const out: string[] = [];
  let dropped = 0;
  let matches = 0;
  let added = 0;
  let removed = 0;
  const flush = () => {
    if (added + removed > 0) out.push(`[… ${added + removed} changed lines: +${added} -${removed}]`);
    dropped += added + removed;
    added = 0;
    removed = 0;
  };
  for (const line of body) {
    if (HUNK.test(line)) {
      flush();
      out.push(line);
    } else if (isEdit(line)) {
      if (matches < MATCHES_PER_FILE && relevance(line, weights) > 0) {
        flush();
        matches++;
        out.push(shortened(line));
      } else if (line.startsWith('+')) added++;
      else removed++;
    } else if (!line.startsWith('\\')) dropped++;
  }
  flush();
  return { lines: out, dropped };
}

/** `--- a/x` and `+++ b/x` repeat the paths a `diff --git a/x b/x` or `diff -ru x y` line already names. */
function essentialHeader(header: readonly string[]): string[] {
  const named = header.some((h) => /^diff (--git|-\w+) \S+ \S+/.test(h));
  return named ? header.filter((h) => !/^(--- |\+\+\+ )/.test(h) || /\/dev\/null/.test(h)) : [...header];
}

/** `diff -r` lists each file present on one side as `Only in dir: name`; one line per directory says it all. */
function groupOnlyIn(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const m = /^Only in (.+): (.+)$/.exec(line);
    const previous = out[out.length - 1] ?? '';
    if (m && previous.startsWith(`Only in ${m[1]}: `)) out[out.length - 1] = `${previous}, ${m[2]}`;
    else out.push(line);
  }
  return out;
}

/** The path a file section is about: the new side of its `diff` line, or its `+++`/`---` path. */
function pathOf(section: FileSection): string {
  for (const h of section.header) {
    const m = /^diff (?:--git|-\w+) \S+ (\S+)/.exec(h) ?? /^(?:\+\+\+|---) (?!\/dev\/null)(\S+)/.exec(h);
    if (m) return (m[1] as string).replace(/^b\//, '');
  }
  return (section.header[0] ?? '').replace(/^\S+ /, '');
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function counts(section: FileSection): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of section.body) {
    if (HUNK.test(line)) continue;
    if (line.startsWith('+')) added++;
    else if (line.startsWith('-')) removed++;
  }
  return { added, removed };
}

/** Query terms in more than a few changed lines (`export` in an ESM rewrite) pick out nothing. */
function selectiveWeights(changed: readonly string[], query: Query): Map<string, number> {
  const weights = termWeights(changed, query);
  const lowered = changed.map((l) => l.toLowerCase());
  for (const term of [...weights.keys()]) {
    let df = 0;
    for (let i = 0; i < changed.length; i++)
      if (containsTerm(changed[i] as string, lowered[i] as string, term)) df++;
    if (df > Math.max(6, changed.length * 0.05)) weights.delete(term);
  }
  return weights;
}

export const diff: Transform = {
  name: 'diff',
  kinds: ['diff'],
  detect: looksLikeDiff,
  compress(text, ctx) {
    const lines = splitLines(text);
    const all = sections(lines);
    const files = all.filter((s) => !isCommit(s) && s.body.length > 0);
    const changed = files.flatMap((s) => (isGenerated(s) ? [] : s.body.filter(isEdit)));
    const large = changed.length > SMALL_DIFF;
    const weights = large ? selectiveWeights(changed, ctx.query) : new Map<string, number>();
    // A file the query names by its own name (`package.json`, `decode.ts`), unless it names most of them.
    const names = files.map((s) => baseName(pathOf(s)).replace(/[._-]/g, ' '));
    const pathWeights = large ? termWeights(names, ctx.query) : new Map<string, number>();
    for (const term of [...pathWeights.keys()])
      if (names.filter((name) => containsTerm(name, name.toLowerCase(), term)).length > names.length / 2)
        pathWeights.delete(term);
    const hasStat = all.some((s) => isCommit(s) && s.body.some((l) => /^ \S.* \| +\d+/.test(l)));
    const out: string[] = [];
    if (large && !hasStat) {
      out.push(`${files.length} files changed (+added -removed):`);
      for (const section of files) {
        const { added, removed } = counts(section);
        out.push(` ${pathOf(section)} +${added} -${removed}`);
      }
    }
    let dropped = 0;
    let summarised = 0;
    let outlined = 0;
    // Small files stay whole while their changes fit a share of the diff; the rest are outlined too.
    let wholeBudget = Math.max(SMALL_DIFF / 2, changed.length * 0.1);
    // Dual builds (dist/esm, dist/cjs) change the same way twice: a repeat names the first instead.
    const seenBodies = new Map<string, string>();
    for (const section of all) {
      // A large diff's `index <blob>..<blob>` lines name objects nobody reads; its file list says the rest.
      const header = essentialHeader(section.header).filter((h) => !large || !/^index [0-9a-f]+\.\./.test(h));
      out.push(...header);
      if (section.body.length === 0) continue;
      if (isCommit(section)) {
        out.push(...section.body);
        continue;
      }
      if (isGenerated(section)) {
        const { added, removed } = counts(section);
        out.push(`[… generated file: ${removed} lines removed, ${added} added]`);
        dropped += section.body.length;
        summarised++;
        continue;
      }
      const { added, removed } = counts(section);
      const path = pathOf(section);
      if (large && added === 0 && section.header.some((h) => h.startsWith('deleted file'))) {
        // A deleted file's content is the old version's: the deletion is the news.
        out.push(`[… deleted: ${removed} lines]`);
        dropped += section.body.length;
        continue;
      }
      const bodyKey = section.body.filter((l) => !HUNK.test(l)).join('\n');
      const same = large ? seenBodies.get(bodyKey) : undefined;
      if (same !== undefined) {
        out.push(`[… the same ${added + removed} changed lines as ${same}]`);
        dropped += section.body.length;
        continue;
      }
      seenBodies.set(bodyKey, path);
      const named = relevance(baseName(path).replace(/[._-]/g, ' '), pathWeights) > 0;
      const small = added + removed <= SMALL_FILE && added + removed <= wholeBudget;
      if (large && small && !named) wholeBudget -= added + removed;
      const whole = !large || small || named || MANIFEST.test(baseName(path));
      const kept = whole ? trimHunks(section.body) : hunkOutline(section.body, weights);
      if (!whole) outlined++;
      out.push(...kept.lines);
      dropped += kept.dropped;
    }
    const result = groupOnlyIn(out).join('\n');
    if (result.length >= text.length * 0.97) return undefined;
    const parts = [`${dropped} diff lines omitted`];
    if (outlined) parts.push(`${outlined} big files outlined by hunk`);
    if (summarised) parts.push(`${summarised} generated files summarised`);
    return { text: result, summary: parts.join(', ') };
  },
};
