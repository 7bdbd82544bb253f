// Search results and listings: grep/rg `path:line:text` hits grouped by file, and find/ls/dpkg
// listings grouped by directory; each group keeps its best lines for the query, the rest are counted.

import { looksLikeGrep, looksLikeSearch, sampleOf } from '../detect.js';
import { splitLines } from '../lines.js';
import { containsTerm, type Query, relevance, stem, termWeights } from '../query.js';
import type { Compressed, Transform } from '../types.js';
import { moreNames, uniqueShortNames } from './notes.js';

// Linear on long lines: the path part after its last `/` or `.` holds neither, a path is looked for
// from the start of a token only, and the lookaheads settle once; nested stars here backtrack quadratically.
const HIT = /^([^\s:]*[/.][^\s:/.]*?)([:-])(\d+)\2/;
const HIT_NO_LINE = /^(?=[^\s:]*[/.])([^\s:]*):/;
const DIR_HEADER = /^(\S.*):$/;
const PATH_IN_LINE = /(?<!\S)(\S*\/)[^/\s]+\/?$/;
const BARE_PATH = /^(?=\S*\/\S)\S+$/;
// `ls -l` / `find -printf '%M %s …'` entries: permissions, optional links/owner/group, then the size.
const SIZED_ENTRY = /^([-dlcbps])[rwxsStT-]{9}[.+@]?\s+(?:\d+\s+\S+\s+\S+\s+)?(\d+)\s/;
const SELF_OR_PARENT = /\s\.\.?$/;

const PER_GROUP = 2;
const PER_MATCHING_GROUP = 12;
const MATCHING_LINES = 40;
const LARGEST_ENTRIES = 4;
const PER_NAMED_FILE = 3;
const LABELS_LISTED = 12;
// A search of this many hits is read whole: ranking would drop hits the agent asked for to save little.
const SMALL_SEARCH = 40;

// A definition or an assignment of what was searched for says where it comes from and what it defaults to:
// declarations, `x = …`, `obj.x = …`, `this[kX] = …`, and `x: value` in an object literal or a config.
const DEFINITION =
  /^\s*(?:(?:pub(?:\([^)]*\))?|export|async|static|public|private|protected)\s+)*(?:def|func|fn|class|function|interface|type|struct|enum|trait|impl|const|let|var)\b|^\s*[\w.$]+(?:\[[\w.$'"]+\])?\s*=[^=]|^\s*['"]?[\w$]+['"]?\s*:\s*[^\s:=]/;

// The name a line defines or assigns (`timeout = …`, `this[kTimeout] = …`, `timeout: 30`, `def timeout(`,
// `func (c *Command) Execute(`).
const DEFINED_NAME =
  /^\s*(?:(?:pub|export|static|async|public|private|protected)\s+)*(?:(?:def|func|fn|class|function|interface|type|struct|enum|trait)\s+(?:\([^)]*\)\s*)?([\w.]+)|(?:(?:const|let|var)\s+)?(?:[\w.$]+\[['"]?)?([\w.$]+)['"]?\]?\s*=(?!=)|['"]?([\w$]+)['"]?\s*:\s*(?![\s:=]))/;

interface Hit {
  index: number;
  file: string;
  line: number;
  content: string;
}

export const search: Transform = {
  name: 'search',
  kinds: ['search'],
  detect: looksLikeSearch,
  compress(text, ctx) {
    const lines = splitLines(text);
    if (lines.length < 8) return undefined;
    if (looksLikeGrep(sampleOf(text))) return compressHits(lines, ctx.query);
    const branches = lines.filter((l) => TREE_BRANCH.test(l)).length;
    return branches >= lines.length * 0.6
      ? compressTree(lines, ctx.query)
      : compressListing(lines, ctx.query);
  },
};

// A branch of a drawn tree (`npm ls`, `tree`): `│ ├── x`, `| +-- x`, `  └─┬ x`; its indent gives the depth.
const TREE_BRANCH = /^([│| ]*)(?:├─|└─|\+-|`-)[─┬-] ?/;
// What a dependency tree reports as wrong.
const TREE_TROUBLE = /\b(UNMET|invalid|extraneous|missing|ERR!|error|overridden)\b/i;
/** Tree lines kept for matching the query. */
const TREE_MATCHES = 40;

/**
 * `npm ls` and `tree` output: the root and its direct children, every line that reports trouble (`UNMET
 * OPTIONAL DEPENDENCY`, `invalid`, `extraneous`), the lines the query names, and the branches that lead to
 * them; each run of other lines becomes a count under the entry it hangs from.
 */
function compressTree(lines: readonly string[], query: Query): Compressed | undefined {
  const n = lines.length;
  const depth = lines.map((l) => {
    const m = TREE_BRANCH.exec(l);
    return m ? Math.floor((m[1] as string).length / 2) + 1 : 0;
  });
  const keep: boolean[] = new Array(n).fill(false);
  const content = lines.map((l) => l.replace(TREE_BRANCH, ''));
  const weights = termWeights(content, query);
  const scores = content.map((c) => relevance(c, weights));
  const best = scores.reduce((a, b) => Math.max(a, b), 0);
  const matches = scores
    .map((score, i) => [score, i] as const)
    .filter(([score]) => score > 0 && score >= best * 0.3)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, TREE_MATCHES)
    .map(([, i]) => i);
  const wanted = new Set(matches);
  for (let i = 0; i < n; i++)
    if ((depth[i] as number) <= 1 || TREE_TROUBLE.test(lines[i] as string) || wanted.has(i)) keep[i] = true;
  // A kept line shows the branch it hangs from, up to the root.
  const parents: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = depth[i] as number;
    parents.length = d;
    if (keep[i]) for (const p of parents) keep[p] = true;
    parents[d] = i;
  }
  // Each run of dropped lines is one note, hung from the entry the run's shallowest line sits under.
  const out: string[] = [];
  let omitted = 0;
  let run = 0;
  let top = -1;
  let under = 0;
  const flush = () => {
    if (run > 0) out.push(`${'  '.repeat(Math.max(0, top - 1))}[… ${run} more under ${content[under]}]`);
    run = 0;
    top = -1;
  };
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = depth[i] as number;
    stack.length = d;
    if (keep[i]) {
      flush();
      out.push(lines[i] as string);
    } else {
      if (top < 0 || d < top) {
        top = d;
        under = stack[d - 1] ?? 0;
      }
      run++;
      omitted++;
    }
    stack[d] = i;
  }
  flush();
  if (omitted === 0) return undefined;
  out.push("[headroom_retrieve query=<package> returns a cut subtree's lines]");
  return { text: out.join('\n'), summary: `${omitted} of ${n} tree lines omitted` };
}

/** How many hits a grep output of `n` lines keeps outright (files keep their best hit on top of it). */
function hitBudget(n: number): number {
  return Math.min(40, Math.max(10, Math.ceil(Math.sqrt(n))));
}

/**
 * grep/rg hits: the hits that best answer the query, the best hit of every file and a few more in the
 * files the query names stay verbatim; each file's other hits become one count with their line span.
 */
function compressHits(lines: readonly string[], query: Query): Compressed | undefined {
  const n = lines.length;
  const hits: Hit[] = [];
  const other: number[] = [];
  lines.forEach((line, index) => {
    const m = HIT.exec(line);
    if (m) hits.push({ index, file: m[1] as string, line: Number(m[3]), content: line.slice(m[0].length) });
    else if (line.trim() !== '' && line !== '--') other.push(index);
  });
  if (hits.length <= SMALL_SEARCH) return undefined;
  const files = [...new Set(hits.map((h) => h.file))];
  const weights = termWeights(
    hits.map((h) => h.content),
    query,
  );
  const fileWeights = termWeights(files.map(baseName), query);
  const named = new Set(files.filter((f) => relevance(baseName(f), fileWeights) > 0));
  // When the query names every file, naming says nothing about any one of them.
  if (named.size === files.length) named.clear();
  const common = buildCommonTerms(hits, query, weights);
  const defines = hits.map((h) => definitionScore(h.content, common, [...weights.keys()]));
  // When most hits are definitions (a search for `func …`), being one sets no hit apart.
  const rare = defines.filter((d) => d >= 1).length <= hits.length / 3;
  const score = hits.map((h, k) => relevance(h.content, weights) + (rare ? (defines[k] as number) : 0));

  const keep = new Set<number>();
  const budget = hitBudget(n);
  const best = score.reduce((a, b) => Math.max(a, b), 0);
  // A hit that matches any query term ranks above every hit that matches none; strong ones come first.
  const byScore = hits
    .map((_, k) => k)
    .filter((k) => (score[k] as number) >= Math.max(1.5, best * 0.25))
    .sort((a, b) => (score[b] as number) - (score[a] as number) || a - b);
  for (const k of byScore.slice(0, budget)) keep.add(k);
  const perFile = new Map<string, number[]>();
  hits.forEach((h, k) => {
    const inFile = perFile.get(h.file);
    if (inFile) inFile.push(k);
    else perFile.set(h.file, [k]);
  });
  for (const [file, ks] of perFile) {
    // Every file shows where its hits start and its best hit when that one matches the query well; a file
    // the query names keeps its best few.
    const ranked = ks.slice().sort((a, b) => (score[b] as number) - (score[a] as number) || a - b);
    keep.add(ks[0] as number);
    const top = score[ranked[0] as number] as number;
    if (top > 0 && top >= best * 0.25) keep.add(ranked[0] as number);
    if (named.has(file)) for (const k of ranked.slice(0, PER_NAMED_FILE)) keep.add(k);
  }

  const out: string[] = [];
  for (const i of other.slice(0, 4)) out.push(lines[i] as string);
  const shortNames = uniqueShortNames(files);
  let omitted = other.length > 4 ? other.length - 4 : 0;
  for (const [file, ks] of perFile) {
    const dropped: number[] = [];
    for (const k of ks) {
      const hit = hits[k] as Hit;
      if (keep.has(k)) out.push(lines[hit.index] as string);
      else dropped.push(hit.line);
    }
    if (dropped.length > 0) {
      omitted += dropped.length;
      out.push(`[… ${dropped.length} more in ${shortNames.get(file)}, ${spans(dropped)}]`);
    }
  }
  if (omitted === 0) return undefined;
  out.push("[headroom_retrieve query=<file name> returns a file's hits]");
  return { text: out.join('\n'), summary: `${omitted} of ${n} lines omitted` };
}

/**
 * Query terms found in most hits: the searched pattern itself. They rank nothing, so they leave the
 * weights; a hit that defines or assigns a name holding one is what a search for it usually wants.
 */
function buildCommonTerms(hits: readonly Hit[], query: Query, weights: Map<string, number>): string[] {
  const common: string[] = [];
  for (const term of query.terms) {
    const df = hits.filter((h) => h.content.toLowerCase().includes(term)).length;
    if (df > hits.length / 2) {
      common.push(term);
      weights.delete(term);
    }
  }
  return common;
}

function definitionScore(content: string, common: readonly string[], terms: readonly string[]): number {
  const m = DEFINED_NAME.exec(content);
  const name = m?.[1] ?? m?.[2] ?? m?.[3];
  const own = name?.slice(name.lastIndexOf('.') + 1);
  // `timeout=timeout` (or `timeout: timeout`) only passes a value along; `timeout=None` or `timeout = Timeout(…)` sets it.
  const value = content.slice((m?.index ?? 0) + (m?.[0].length ?? 0) - 1).replace(/^[=:]\s*/, '');
  const passedOn = own !== undefined && value.trim().replace(/,$/, '') === own;
  if (own && !passedOn) {
    // Naming conventions set a symbol's prefix apart: `kTimeout`, `_timeout`, `#timeout`, `m_timeout`.
    const bare = own.replace(/^(?:k(?=[A-Z])|m_|[_#$]+)/, '');
    if (common.includes(stem(bare.toLowerCase()))) return 2.5;
    // A name that holds a query term (`kHeadersTimeout` for "headersTimeout") is defined here.
    const lower = own.toLowerCase();
    if (terms.some((term) => containsTerm(own, lower, term))) return 2.5;
  }
  return DEFINITION.test(content) ? 0.3 : 0;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Where the dropped hits of a file are: every line number when they are few, else the first and last
 * (`between lines 37 and 256`), so no two separate hits read as one range of lines.
 */
function spans(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  if (sorted.length <= 3) return `line${sorted.length === 1 ? '' : 's'} ${sorted.join(', ')}`;
  return `between lines ${sorted[0]} and ${sorted.at(-1)}`;
}

/** The group (directory) a listing line belongs to, or undefined for a line outside any group. */
function groupOf(line: string, currentDir: string | undefined): string | undefined {
  const hit = HIT.exec(line) ?? HIT_NO_LINE.exec(line);
  if (hit) return hit[1];
  const path = PATH_IN_LINE.exec(line);
  if (path) return path[1];
  return currentDir;
}

/**
 * find/ls/dpkg listings: directory headers, the entries the query names, the largest files and the
 * first entries of each directory stay; the others are named in one line per directory.
 */
function compressListing(lines: readonly string[], query: Query): Compressed | undefined {
  const n = lines.length;
  const keep: boolean[] = new Array(n).fill(false);
  const groups = new Map<string, number[]>();
  const dirOf: string[] = new Array(n).fill('');
  let currentDir: string | undefined;
  for (let i = 0; i < n; i++) {
    const line = lines[i] as string;
    const header = DIR_HEADER.exec(line);
    if (header && !HIT.test(line)) {
      // `ls -R` directory headers give the structure: always kept.
      currentDir = header[1];
      keep[i] = true;
      continue;
    }
    if (isNoise(line)) continue;
    const name = groupOf(line, currentDir) ?? '';
    dirOf[i] = name;
    const group = groups.get(name);
    if (group) group.push(i);
    else groups.set(name, [i]);
  }
  // Lines outside any group (headers of dpkg -l, notes) are few and frame the rest.
  for (const i of (groups.get('') ?? []).slice(0, 6)) keep[i] = true;

  const contents = lines.map(entryName);
  const weights = termWeights(contents, query);
  // An entry the query names ranks higher still in a directory the query names (`esm/server/index.js`);
  // a term in nearly every directory's path (the listed root) names none of them.
  const dirs = [...groups.keys()];
  const dirWeights = termWeights(dirs, query);
  for (const term of [...dirWeights.keys()])
    if (dirs.filter((dir) => containsTerm(dir, dir.toLowerCase(), term)).length > dirs.length * 0.8)
      dirWeights.delete(term);
  const dirScores = new Map(dirs.map((dir) => [dir, relevance(dir, dirWeights)]));
  const bestDir = [...dirScores.values()].reduce((a, b) => Math.max(a, b), 0);
  const scores = contents.map((content, i) => {
    const own = relevance(content, weights);
    return own > 0 ? own + 0.5 * (dirScores.get(dirOf[i] as string) ?? 0) : 0;
  });
  const best = scores.reduce((a, b) => Math.max(a, b), 0);
  const ranked = scores
    .map((score, i) => [score, i] as const)
    .filter(([score, i]) => score > 0 && score >= best * 0.3 && !isNoise(lines[i] as string))
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, MATCHING_LINES);
  for (const [, i] of ranked) keep[i] = true;
  for (const i of largestFiles(lines)) keep[i] = true;

  for (const [name, members] of groups) {
    if (name === '') continue;
    const named = (dirScores.get(name) ?? 0) > 0 && (dirScores.get(name) ?? 0) >= bestDir * 0.6;
    const byScore = members.slice().sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
    // A directory the query names keeps every entry the query names too (within a cap), and its first few.
    const matching = named
      ? byScore.filter((i) => (scores[i] as number) > 0).slice(0, PER_MATCHING_GROUP)
      : [];
    for (const i of [...byScore.slice(0, PER_GROUP), ...matching]) keep[i] = true;
  }
  keep[n - 1] = !isNoise(lines[n - 1] as string) || keep[n - 1] === true;

  const out: string[] = [];
  let omitted = 0;
  const pending = new Map<string, number[]>();
  const flush = () => {
    for (const [name, dropped] of pending) {
      // Under its own `ls -R` header a directory's note need not name it again; entries that cost no more
      // than the note about them are shown instead.
      const note = omissionNote(name === currentDir ? '' : name, dropped, lines);
      const shown = dropped.map((i) => lines[i] as string);
      if (shown.join('\n').length <= note.length) {
        out.push(...shown);
        omitted -= dropped.length;
      } else out.push(note);
    }
    pending.clear();
  };
  let currentGroup: string | undefined;
  currentDir = undefined;
  for (let i = 0; i < n; i++) {
    const line = lines[i] as string;
    const header = DIR_HEADER.exec(line);
    if (header && !HIT.test(line)) {
      flush();
      currentDir = header[1];
    }
    if (keep[i]) {
      const name = groupOf(line, undefined);
      if (name !== currentGroup) flush();
      currentGroup = name;
      out.push(line);
      continue;
    }
    omitted++;
    if (isNoise(line)) continue;
    const name = groupOf(line, currentDir) ?? '';
    const group = pending.get(name);
    if (group) group.push(i);
    else pending.set(name, [i]);
  }
  flush();
  if (omitted === 0) return undefined;
  return { text: out.join('\n'), summary: `${omitted} of ${n} lines omitted` };
}

/**
 * What a listing line is ranked by: the entry's own name for `ls -l`/`find` entries (a directory the
 * query names already keeps more of its entries), the whole line otherwise (`dpkg -l` rows).
 */
function entryName(line: string): string {
  if (SIZED_ENTRY.test(line) || BARE_PATH.test(line))
    return /(?<![^/\s])([^/\s]+)\/?$/.exec(line)?.[1] ?? line;
  return line.replace(HIT, '').replace(HIT_NO_LINE, '');
}

/** Lines that say nothing about what is listed: blank lines, `total N`, `.` and `..` entries. */
function isNoise(line: string): boolean {
  return (
    line.trim() === '' || /^total \d+$/.test(line) || (SIZED_ENTRY.test(line) && SELF_OR_PARENT.test(line))
  );
}

/** The biggest regular files of a listing with sizes: where most of a project's code or data lives. */
function largestFiles(lines: readonly string[]): number[] {
  const sized: Array<[number, number]> = [];
  lines.forEach((line, i) => {
    const m = SIZED_ENTRY.exec(line);
    if (m && m[1] === '-') sized.push([Number(m[2]), i]);
  });
  return sized
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, LARGEST_ENTRIES)
    .map(([, i]) => i);
}

/**
 * The name an omission note gives a listing line: the last path segment of an `ls -l`/`find` entry, the
 * first column of a table row (`dpkg -l`'s package after its two-letter status, a pod, a container).
 */
function labelOf(line: string): string | undefined {
  const trimmed = line.trim();
  const tableRow =
    /\s/.test(trimmed) &&
    !SIZED_ENTRY.test(line) &&
    !HIT.test(line) &&
    !HIT_NO_LINE.test(line) &&
    !PATH_IN_LINE.test(line);
  if (!tableRow) return /(?<![^/\s])([^/\s]+\/?)$/.exec(line)?.[1];
  const fields = trimmed.split(/\s+/);
  return /^[a-z]{1,2}$/i.test(fields[0] as string) && fields.length > 2 ? fields[1] : fields[0];
}

/** One line naming the entries dropped from a directory. */
function omissionNote(group: string, dropped: readonly number[], lines: readonly string[]): string {
  // Files that differ only in their extensions (`sse.js`, `sse.js.map`, `sse.d.ts`) read as one family.
  const families = new Map<string, string[]>();
  for (const i of dropped) {
    const name = labelOf(lines[i] as string);
    if (!name) continue;
    const dot = name.indexOf('.', 1);
    const stem = dot > 0 && !name.endsWith('/') ? name.slice(0, dot) : name;
    const family = families.get(stem) ?? [];
    families.set(stem, family);
    if (name !== stem) family.push(name.slice(stem.length + 1));
  }
  const labels = [...families].map(([stem, exts]) =>
    exts.length > 1 ? `${stem}.{${exts.join(',')}}` : exts.length === 1 ? `${stem}.${exts[0]}` : stem,
  );
  const shown = labels.slice(0, LABELS_LISTED).join(', ');
  const more = moreNames(Math.max(0, labels.length - LABELS_LISTED));
  const where = group ? ` in ${group}` : '';
  const entries = dropped.length === 1 ? 'entry' : 'entries';
  return `[… ${dropped.length} more ${entries}${where}${shown ? `: ${shown}${more}` : ''}]`;
}
