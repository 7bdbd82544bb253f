// JSON ("SmartCrusher"): keeps the fields that carry information within a size budget, ranked by
// depth, query relevance, rarity and error signals; big arrays of records keep their first, last and
// outstanding items plus per-field counts and ranges. Output stays valid JSON: every object that lost
// fields says how many in an `"_omitted"` key, every array that lost items holds a `"… N items omitted"`
// string where they were, and the headroom marker goes on its own line after the JSON.
// JSON an agent's output cap cut short is read up to the cut, closed and compressed alike, then a line
// says where the cut fell and the agent's own notice follows, so the JSON part parses and the block does
// not. When the agent kept the end too (Codex), the end follows as it closes, errors and outcomes first.

import { type CutJson, jsonBlock, looksLikeJson } from '../detect.js';
import { type Json, type JsonCut, type JsonObject, type JsonSuffix, setMember } from '../partial-json.js';
import { type Query, relevance, termWeights } from '../query.js';
import type { Transform } from '../types.js';
import { clip } from './notes.js';

interface Leaf {
  node: Node;
  score: number;
  cost: number;
}

interface Node {
  key: string | number;
  value: Json;
  depth: number;
  parent: Node | undefined;
  children: Node[];
  /** Set when the node, or a descendant, is kept. */
  kept: boolean;
  /** Items of an array of records that cannot be kept (not chosen as representative). */
  dropped: boolean;
  /** A long string shortened for display. */
  shown?: string;
  /** A list or map whose name the query mentions: its entries are kept before anything else. */
  named?: boolean;
}

const INLINE_WIDTH = 100;
const LONG_STRING = 160;
const RECORDS_SAMPLED = 8;
const WIDE_SAMPLED = 16;
const SIGNAL_KEY =
  /^(status|state|error|errors|err|message|msg|conclusion|result|code|reason|failure|exit_?code|level|severity|ok|success|name|title|version|type|login|label|description|default|default_\w+|latest|license|total|count|\w+_count)$/i;
const TROUBLE_VALUE =
  /^(error|failed|failure|fatal|cancelled|canceled|timed_out|rejected|denied|invalid|critical)$/i;

// Fields that name a record: a query term equal to one of them asks for that record.
const NAME_KEYS = ['name', 'id', 'key', 'title', 'login', 'label', 'slug', 'sku', 'package', 'module'];

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRecordArray(value: Json): value is JsonObject[] {
  return Array.isArray(value) && value.length > 0 && value.every(isObject);
}

function scalarText(value: Json): string {
  return JSON.stringify(value);
}

function build(value: Json, key: string | number, depth: number, parent: Node | undefined): Node {
  const node: Node = { key, value, depth, parent, children: [], kept: false, dropped: false };
  if (Array.isArray(value)) node.children = value.map((v, i) => build(v, i, depth + 1, node));
  else if (isObject(value))
    node.children = Object.keys(value).map((k) => build(value[k] as Json, k, depth + 1, node));
  return node;
}

/** Choose representative items of a big array of records; the rest are summarised by field. */
function sampleRecords(node: Node, weights: ReadonlyMap<string, number>): void {
  const items = node.value as JsonObject[];
  const n = items.length;
  if (n <= RECORDS_SAMPLED) return;
  const chosen = new Set<number>([0, 1, n - 1]);
  const fields = new Map<string, Map<string, number>>();
  for (const item of items) {
    for (const [k, v] of Object.entries(item)) {
      if (typeof v === 'object' && v !== null) continue;
      let counts = fields.get(k);
      if (!counts) {
        counts = new Map();
        fields.set(k, counts);
      }
      const text = scalarText(v);
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
  }
  const scored: Array<[number, number]> = [];
  items.forEach((item, i) => {
    let score = 0;
    for (const [k, v] of Object.entries(item)) {
      if (typeof v === 'string' && TROUBLE_VALUE.test(v)) score += 5;
      if (/^(error|errors|failure|exception)$/i.test(k) && v !== null && v !== false) score += 5;
      if (typeof v === 'number' && /status|code/i.test(k) && v >= 400) score += 5;
      const counts = fields.get(k);
      if (counts && counts.size > 1 && counts.size <= Math.max(3, n / 4)) {
        const c = counts.get(scalarText(v)) ?? n;
        if (c <= Math.max(1, n * 0.05)) score += 2;
      }
      if (v === null && counts && (counts.get('null') ?? 0) <= n * 0.05) score += 1;
    }
    score += 3 * relevance(JSON.stringify(item), weights);
    // The record the question asks for by name (`undici`, not `undici-types`, which also holds the word).
    for (const key of NAME_KEYS) {
      const v = item[key];
      if (typeof v === 'string' && weights.has(v.toLowerCase())) score += 20;
    }
    if (score > 0) scored.push([score, i]);
  });
  scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of scored.slice(0, Math.max(5, Math.ceil(Math.sqrt(n))))) chosen.add(i);
  node.children.forEach((child, i) => {
    child.dropped = !chosen.has(i);
  });
}

/**
 * Long lists of plain values (version lists, id lists) and wide maps of them (version → date) keep
 * their ends and the entries the query names; the rest are counted where they were.
 */
function sampleWide(node: Node, weights: ReadonlyMap<string, number>): void {
  const n = node.children.length;
  if (n <= WIDE_SAMPLED || node.children.some((c) => c.children.length > 0)) return;
  // A list the query names ("which dependencies…") is the answer: keep it whole unless it is huge.
  if (n <= 64 && relevance(nameOf(node).replace(/[_-]/g, ' '), weights) > 0) {
    node.named = true;
    return;
  }
  const chosen = new Set<number>([0, 1, 2, n - 3, n - 2, n - 1]);
  const scored = node.children
    .map((child, i) => [relevance(`${child.key} ${scalarText(child.value)}`, weights), i] as const)
    .filter(([score]) => score > 0)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of scored.slice(0, 6)) chosen.add(i);
  node.children.forEach((child, i) => {
    child.dropped = !chosen.has(i);
  });
}

function collectLeaves(root: Node, weights: ReadonlyMap<string, number>, leaves: Leaf[]): void {
  const seenPairs = new Set<string>();
  const visit = (node: Node) => {
    if (node.dropped) return;
    if (isRecordArray(node.value)) sampleRecords(node, weights);
    else if (node.children.length > WIDE_SAMPLED) sampleWide(node, weights);
    if (node.children.length > 0) {
      node.children.forEach(visit);
      return;
    }
    const key = nameOf(node);
    let text = scalarText(node.value);
    let score = 10 / (1 + node.depth);
    if (typeof node.value === 'string' && node.value.length > LONG_STRING) {
      node.shown = `${node.value.slice(0, 100)}… (${node.value.length - 100} more chars)`;
      text = scalarText(node.shown);
      score -= 3;
    }
    const pair = `${node.parent ? nameOf(node.parent) : ''}.${key}\u0000${text}`;
    // Field names carry the schema: a query word naming a field is a strong signal, one inside a value
    // weaker, and one inside a link none (links repeat the names of everything around them).
    const keyMatch = relevance(key.replace(/[_-]/g, ' '), weights);
    const link =
      /(^|_)url$/i.test(key) || (typeof node.value === 'string' && /^(https?|git):\/\//.test(node.value));
    score += 8 * keyMatch + 3 * ancestorMatch(node, weights) + (link ? 0 : 3 * relevance(text, weights));
    const repeated = seenPairs.has(pair);
    seenPairs.add(pair);
    if (node.parent?.named) score += 10;
    if (SIGNAL_KEY.test(key)) score += 4;
    if (typeof node.value === 'string' && TROUBLE_VALUE.test(node.value)) score += 6;
    if (link && keyMatch === 0) score -= 8;
    else if (typeof node.value !== 'string' || ISO_TIME.test(node.value)) score += 3;
    else if (node.value.length <= 40) score += 2;
    const index = node.parent && Array.isArray(node.parent.value) ? (node.key as number) : -1;
    if (index === 0) score += 2;
    // The same field with the same value seen before (a header every record repeats) says nothing new.
    if (repeated) score = Math.min(score - 8, 0);
    leaves.push({ node, score, cost: key.length + text.length + 6 });
  };
  visit(root);
}

/** The name a value goes by: its key, or for an array element the array's key ("topics": ["a"]). */
function nameOf(node: Node): string {
  if (typeof node.key === 'string') return node.key;
  return node.parent ? nameOf(node.parent) : '';
}

/** How well the keys above a value match the query ("dependencies" for a dependency's range). */
function ancestorMatch(node: Node, weights: ReadonlyMap<string, number>): number {
  let score = 0;
  let decay = 1;
  for (let n = node.parent; n; n = n.parent) {
    if (typeof n.key === 'string' && n.key) score += decay * relevance(n.key.replace(/[_-]/g, ' '), weights);
    decay *= 0.5;
  }
  return score;
}

/** What keeping a value adds for the containers around it not shown yet: keys, indentation, braces. */
function openingCost(node: Node): number {
  let cost = 0;
  for (let n = node.parent; n?.parent && !n.kept; n = n.parent)
    cost += (typeof n.key === 'string' ? n.key.length + 4 : 0) + 2 * n.depth + 16;
  return cost;
}

const SHORT_SCALAR = 30;
const SHORT_LIST = 80;

/**
 * A shown object whose missing fields are a few short scalars shows them: they cost about what the
 * `"_omitted"` note would, and a record of flags (`{"restrictions": null, "enforce_admins": false}`) reads whole.
 */
function completeSmallObjects(node: Node): void {
  if (!node.kept) return;
  if (isObject(node.value)) {
    const missing = node.children.filter((c) => !c.kept);
    const short = (c: Node) => c.children.length === 0 && scalarText(c.value).length <= SHORT_SCALAR;
    const flat = node.children.length <= 8 && node.children.every(short);
    if (missing.length > 0 && missing.every(short) && (missing.length <= 2 || flat))
      for (const c of missing) c.kept = true;
  } else if (Array.isArray(node.value) && node.children.every((c) => c.children.length === 0)) {
    // A short list of plain values (`"topics": ["fixtures", "hello"]`) costs less whole than its note.
    const width = node.children.reduce((sum, c) => sum + scalarText(c.value).length + 2, 0);
    if (width <= SHORT_LIST) for (const c of node.children) c.kept = true;
  }
  for (const child of node.children) completeSmallObjects(child);
}

function markKept(node: Node): void {
  for (let n: Node | undefined = node; n && !n.kept; n = n.parent) n.kept = true;
}

/**
 * The lines of a container's kept members, indented by `inner`, with what was left out counted where it
 * was; `own` renders a member its own way (undefined: as usual). `stats` adds a record array's ranges.
 */
function memberLines(
  node: Node,
  inner: string,
  own?: (child: Node) => string | undefined,
  stats = true,
): string[] {
  const parts: string[] = [];
  const isArray = Array.isArray(node.value);
  const show = (child: Node) =>
    own?.(child) ?? `${inner}${isArray ? '' : `${JSON.stringify(child.key)}: `}${render(child, inner)}`;
  if (isArray) {
    let gap = 0;
    for (const child of node.children) {
      if (child.kept) {
        if (gap) parts.push(`${inner}${gapNote(gap)}`);
        gap = 0;
        parts.push(show(child));
      } else gap++;
    }
    if (gap) parts.push(`${inner}${gapNote(gap)}`);
    const ranges = stats ? recordStats(node) : undefined;
    if (ranges) parts.push(`${inner}${ranges}`);
    return parts;
  }
  let omitted = 0;
  for (const child of node.children) {
    if (child.kept) parts.push(show(child));
    else omitted++;
  }
  if (omitted) parts.push(`${inner}"_omitted": ${omitted}`);
  return parts;
}

function render(node: Node, indent: string): string {
  const inline = renderInline(node, INLINE_WIDTH);
  if (inline !== undefined) return inline;
  const parts = memberLines(node, `${indent}  `);
  return Array.isArray(node.value)
    ? `[\n${parts.join(',\n')}\n${indent}]`
    : `{\n${parts.join(',\n')}\n${indent}}`;
}

/** The node on one line, or undefined when that would be wider than `width`. */
function renderInline(node: Node, width: number): string | undefined {
  if (node.children.length === 0) {
    if (Array.isArray(node.value)) return '[]';
    if (isObject(node.value)) return '{}';
    return scalarText(node.shown ?? node.value);
  }
  const parts: string[] = [];
  let length = 2;
  const push = (part: string) => {
    parts.push(part);
    length += part.length + 2;
    return length <= width;
  };
  if (Array.isArray(node.value)) {
    let gap = 0;
    for (const child of node.children) {
      if (!child.kept) {
        gap++;
        continue;
      }
      if (gap && !push(gapNote(gap))) return undefined;
      gap = 0;
      const text = renderInline(child, width - length);
      if (text === undefined || !push(text)) return undefined;
    }
    if (gap && !push(gapNote(gap))) return undefined;
    if (recordStats(node)) return undefined;
    return `[${parts.join(', ')}]`;
  }
  let omitted = 0;
  for (const child of node.children) {
    if (!child.kept) {
      omitted++;
      continue;
    }
    const text = renderInline(child, width - length);
    if (text === undefined || !push(`${JSON.stringify(child.key)}: ${text}`)) return undefined;
  }
  if (omitted && !push(`"_omitted": ${omitted}`)) return undefined;
  return `{${parts.join(', ')}}`;
}

function gapNote(count: number): string {
  return JSON.stringify(`… ${count} item${count === 1 ? '' : 's'} omitted`);
}

/** For a sampled array of records: counts and ranges of the scalar fields over all items. */
function recordStats(node: Node): string | undefined {
  if (!isRecordArray(node.value) || !node.children.some((c) => c.dropped)) return undefined;
  const items = node.value as JsonObject[];
  const summary: JsonObject = { items: items.length };
  const fields = new Map<string, Json[]>();
  for (const item of items) {
    for (const [k, v] of Object.entries(item)) {
      if (typeof v === 'object' && v !== null) continue;
      let values = fields.get(k);
      if (!values) {
        values = [];
        fields.set(k, values);
      }
      values.push(v);
    }
  }
  for (const [k, values] of fields) {
    if (values.every((v) => typeof v === 'number')) {
      const nums = values as number[];
      summary[k] = { min: nums.reduce((a, b) => Math.min(a, b)), max: nums.reduce((a, b) => Math.max(a, b)) };
      continue;
    }
    const counts = new Map<string, number>();
    for (const v of values) counts.set(scalarText(v), (counts.get(scalarText(v)) ?? 0) + 1);
    if (counts.size > 1 && counts.size <= 6) {
      summary[k] = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    }
  }
  return JSON.stringify({ _headroom: summary }).replace(/":/g, '": ').replace(/,"/g, ', "');
}

function budgetFor(size: number): number {
  return Math.min(Math.max(1500, size * 0.15), 2000 + 30 * Math.sqrt(size));
}

/** Query terms found in most values say nothing about which value matters. */
function selectiveWeights(units: readonly string[], query: Query): Map<string, number> {
  const weights = termWeights(units, query);
  if (weights.size === 0) return weights;
  const lowered = units.map((unit) => unit.toLowerCase());
  for (const [term] of weights) {
    let df = 0;
    for (const unit of lowered) if (unit.includes(term)) df++;
    if (df > Math.max(3, units.length * 0.2)) weights.delete(term);
  }
  return weights;
}

/** A document's tree with the values that fit the budget kept. */
interface Crushed {
  root: Node;
  leaves: number;
  dropped: number;
  /** Nothing was left out or shortened: the document is best sent as it was. */
  whole: boolean;
}

// What a document reports about how things went: kept whole at the end of a document an agent cut, where
// a run's outcome and a tree's problems are usually written.
const REPORT_KEY = /^(error|errors|err|problems|failures?|exceptions?|warnings?|stderr)$/i;
const OUTCOME_KEY = /^(status|state|conclusion|result|exit_?code|code|ok|success|summary|message)$/i;
const TROUBLE_FLAG = /^(missing|invalid|extraneous|failed|errored|timed_?out|cancell?ed)$/i;

function reportsOutcome(node: Node): boolean {
  const key = nameOf(node);
  if (typeof node.value === 'string' && TROUBLE_VALUE.test(node.value)) return true;
  if (node.value === true && TROUBLE_FLAG.test(key)) return true;
  if (node.depth <= 2 && OUTCOME_KEY.test(key)) return true;
  for (let n: Node | undefined = node; n; n = n.parent)
    if (typeof n.key === 'string' && REPORT_KEY.test(n.key)) return true;
  return false;
}

/**
 * Keep the values of `value` that matter most for `query`, within `budget` characters; with `reports`, the
 * values that report errors, problems and outcomes first, within a budget of their own as large.
 */
function crush(value: Json, query: Query, budget: number, reports = false): Crushed {
  const root = build(value, '', 0, undefined);
  const units: string[] = [];
  const gather = (node: Node) => {
    if (node.children.length === 0) units.push(`${nameOf(node)} ${scalarText(node.value)}`);
    else {
      // Container names count too: "dependencies" is how a question finds a dependency map.
      if (typeof node.key === 'string') units.push(node.key);
      node.children.forEach(gather);
    }
  };
  gather(root);
  const weights = selectiveWeights(units, query);
  const leaves: Leaf[] = [];
  collectLeaves(root, weights, leaves);
  const total = leaves.reduce((sum, leaf) => sum + leaf.cost, 0);
  const order = leaves
    .map((_, i) => i)
    .sort((a, b) => (leaves[b] as Leaf).score - (leaves[a] as Leaf).score || a - b);
  let spent = 0;
  let dropped = 0;
  for (const leaf of reports ? leaves : []) {
    if (!reportsOutcome(leaf.node)) continue;
    const cost = leaf.cost + openingCost(leaf.node);
    if (spent + cost > budget) break;
    spent += cost;
    markKept(leaf.node);
  }
  const allowance = budget + spent;
  for (const i of order) {
    const leaf = leaves[i] as Leaf;
    if (leaf.node.kept) continue;
    // A value that scores nothing (a repeat, a link nobody asked for) is not worth its tokens.
    const cost = leaf.cost + openingCost(leaf.node);
    if ((spent + cost > allowance || leaf.score <= 0) && spent > 0) {
      dropped++;
      continue;
    }
    spent += cost;
    markKept(leaf.node);
  }
  completeSmallObjects(root);
  const shortened = leaves.some((l) => l.node.kept && l.node.shown !== undefined);
  const whole = dropped === 0 && !shortened && total === spent && !hasDropped(root);
  markKept(root);
  return { root, leaves: leaves.length, dropped, whole };
}

function omissions({ root, leaves, dropped }: Crushed): string {
  const droppedItems = countDropped(root);
  return `${dropped} of ${leaves} JSON values omitted${droppedItems ? `, ${droppedItems} array items summarised` : ''}`;
}

/** Where a cut JSON prefix stops, in words an agent can act on (a jq path to ask for). */
function cutPlace(cut: JsonCut | undefined): string {
  if (!cut) return 'after the JSON ended';
  const place = {
    string: `inside the string at ${cut.path}`,
    key: `inside a key of the object at ${cut.path}`,
    number: `inside the number at ${cut.path}, left out`,
    literal: `inside the value at ${cut.path}, left out`,
    'after-key': `after the key ${JSON.stringify(cut.key)}, before its value`,
    'between-items': `between items of ${cut.path}`,
  }[cut.inside];
  const closed = `headroom closed the ${cut.open} bracket${cut.open === 1 ? '' : 's'} it left open`;
  return `the JSON stops ${place}; ${closed}`;
}

/** The end of a document the agent kept, shaped as it ends: the members each container still shows, then its closing bracket. */
function compressSuffix(
  suffix: JsonSuffix,
  query: Query,
  budget: number,
): { text: string; crushed: Crushed } {
  // The containers the suffix closes, nested as in the document: each holds the one below it first, under
  // `…` where it is an object's member whose key fell before the cut.
  const chain = new Set<Json>();
  let below: Json | undefined;
  for (const level of suffix.levels) {
    const container: Json[] | JsonObject = level.kind === 'array' ? [] : {};
    const add = (key: string | undefined, value: Json) => {
      if (Array.isArray(container)) container.push(value);
      else setMember(container, key ?? '…', value);
    };
    if (below !== undefined) add(undefined, below);
    for (const member of level.members) add(member.key, member.value);
    chain.add(container);
    below = container;
  }
  const crushed = crush(below as Json, query, budget, true);
  let innermost = crushed.root;
  while (innermost.children[0] && chain.has(innermost.children[0].value)) innermost = innermost.children[0];
  markKept(innermost);
  const ending = (node: Node, indent: string): string => {
    const inner = `${indent}  `;
    const parts = memberLines(
      node,
      inner,
      (child) => (chain.has(child.value) ? ending(child, inner) : undefined),
      false,
    );
    const close = `${indent}${Array.isArray(node.value) ? ']' : '}'}`;
    return parts.length > 0 ? `${parts.join(',\n')}\n${close}` : close;
  };
  const fragment = suffix.fragment.trim();
  const body = ending(crushed.root, '');
  return { text: fragment ? `…${clip(fragment, 160)}\n${body}` : body, crushed };
}

// A word that reports trouble, not one inside a name (`assertion-error`, `signal-exit`).
const TAIL_TROUBLE = /(^|[\s"'(:[])(error|errors|fail(ed|ure|ures)?|fatal|exception|denied|invalid|panic)\b/i;

/** Lines the agent kept that are not JSON (a message after the document): the last ones, and any that report trouble. */
function tailLines(tail: string, budget: number): string {
  const lines = tail
    .trimEnd()
    .split('\n')
    .map((line) => clip(line, 200));
  const kept = new Set<number>();
  let spent = 0;
  for (let i = lines.length - 1; i >= 0 && spent < budget / 2; i--) {
    kept.add(i);
    spent += (lines[i] as string).length + 1;
  }
  for (let i = 0; i < lines.length && spent < budget; i++) {
    if (kept.has(i) || !TAIL_TROUBLE.test(lines[i] as string)) continue;
    kept.add(i);
    spent += (lines[i] as string).length + 1;
  }
  const out: string[] = [];
  let gap = 0;
  lines.forEach((line, i) => {
    if (!kept.has(i)) {
      gap++;
      return;
    }
    if (gap) out.push(`[… ${gap} line${gap === 1 ? '' : 's'}]`);
    gap = 0;
    out.push(line);
  });
  return out.join('\n');
}

/**
 * JSON the agent cut: the part before the cut read, closed and compressed as any document, then where the
 * cut fell and the agent's notice as it wrote it, then (when it kept the end) the end, compressed alike.
 */
function compressCut(
  block: CutJson,
  text: string,
  query: Query,
): { text: string; summary: string } | undefined {
  const { cut, head, tail } = block;
  const before = crush(head.value, query, budgetFor(cut.head.length));
  const parts = [
    render(before.root, ''),
    `(the agent cut the output here: ${cutPlace(head.cut)})`,
    cut.notice,
  ];
  let summary = `JSON cut short by the agent, read up to the cut; ${omissions(before)}`;
  if (cut.tail !== undefined) {
    const budget = budgetFor(cut.tail.length) / 2;
    if (tail) {
      const end = compressSuffix(tail, query, budget);
      parts.push(end.text);
      if (tail.after.trim() !== '') parts.push(tailLines(tail.after, budget));
      summary += `; of the end it kept, ${omissions(end.crushed)}`;
    } else {
      parts.push(tailLines(cut.tail, budget));
      summary += '; the last lines of the end it kept';
    }
  }
  const out = parts.join('\n');
  return out.length < text.length ? { text: out, summary } : undefined;
}

export const json: Transform = {
  name: 'json',
  kinds: ['json'],
  detect: looksLikeJson,
  compress(text, ctx) {
    const block = jsonBlock(text);
    if (!block) return undefined;
    if ('cut' in block) return compressCut(block.cut, text, ctx.query);
    const value = block.value as Json;
    if (typeof value !== 'object' || value === null) return undefined;
    const crushed = crush(value, ctx.query, budgetFor(text.length));
    if (crushed.whole) return undefined;
    return { text: render(crushed.root, ''), summary: omissions(crushed) };
  },
};

function hasDropped(node: Node): boolean {
  return node.dropped || node.children.some(hasDropped);
}

function countDropped(node: Node): number {
  let count = node.dropped ? 1 : 0;
  if (!node.dropped) for (const child of node.children) count += countDropped(child);
  return count;
}
