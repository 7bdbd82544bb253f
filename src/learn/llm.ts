// `headroom learn --llm`: the mined rules put to a model to phrase and merge, and its answer checked before
// it is used. What the model sees is a digest, never a log: each rule's key, section, text and counts, and
// the start of one failure's output, secrets blanked, the whole bounded. What it says back is used only as
// new words for rules it names by key; the evidence stays the miner's.

import { oneLine } from '../compress/lines.js';
import { redactSecrets } from './redact.js';
import { type MergedRule, type Rule, SECTIONS, type Section } from './rules.js';

/** The most characters of a digest: rules past this are left out of it (and stay as they are). */
export const DIGEST_CHARS = 24_000;
/** The longest rule text taken from a model. */
const RULE_CHARS = 300;

export interface DigestEntry {
  key: string;
  section: Section;
  text: string;
  evidence: number;
  sessions: number;
  excerpt: string;
}

export interface Digest {
  entries: DigestEntry[];
  /** The rule key behind each key the digest shows (shown keys have their secrets blanked). */
  keyOf: Map<string, string>;
}

/** The rules as a model sees them, strongest first, within `DIGEST_CHARS`. */
export function digestOf(rules: readonly Rule[], excerpts: ReadonlyMap<string, string>): Digest {
  const entries: DigestEntry[] = [];
  const keyOf = new Map<string, string>();
  let size = 2;
  for (const rule of rules) {
    let shown = redactSecrets(rule.key);
    for (let n = 2; keyOf.has(shown); n++) shown = `${redactSecrets(rule.key)}#${n}`;
    const entry: DigestEntry = {
      key: shown,
      section: rule.section,
      text: redactSecrets(rule.text),
      evidence: rule.evidence,
      sessions: rule.sessions,
      excerpt: redactSecrets(excerpts.get(rule.key) ?? ''),
    };
    size += JSON.stringify(entry).length + 1;
    if (size > DIGEST_CHARS) break;
    entries.push(entry);
    keyOf.set(shown, rule.key);
  }
  return { entries, keyOf };
}

/** What is asked of the model: the instructions, then the digest as JSON. */
export function promptFor(digest: readonly DigestEntry[]): string {
  return [
    'These rules were mined from failed tool calls in coding-agent sessions on one project. Each has a key,',
    'a section, its text, how often it was seen and the start of one failure output. Rewrite them as short,',
    'clear instructions for the agent, and merge rules that say the same thing.',
    '',
    'Answer with only a JSON array, no prose and no code fence. Each element:',
    `{"section": one of ${SECTIONS.map((s) => JSON.stringify(s)).join(', ')}, "text": the rule in one sentence`,
    `(at most ${RULE_CHARS} characters, commands and paths in backticks), "merges": the keys of the rules it`,
    'replaces (at least one)}. Use each key at most once; rules you leave out stay as they are. Do not',
    'mention counts.',
    '',
    'Rules:',
    // One rule a line: readable, and the size `digestOf` bounded.
    `[\n${digest.map((entry) => JSON.stringify(entry)).join(',\n')}\n]`,
  ].join('\n');
}

/** Why a model's answer cannot be used, for the one line saying the mined rules were kept. */
export class MalformedAnswerError extends Error {}

/** The JSON in an answer: the whole text, or the one fenced block it holds. */
function jsonOf(answer: string): unknown {
  const text = answer.trim();
  const fenced = /^```(?:json)?\n([\s\S]*?)\n```$/.exec(text);
  try {
    return JSON.parse(fenced ? (fenced[1] as string) : text);
  } catch {
    throw new MalformedAnswerError('not JSON');
  }
}

/**
 * The merges a model's answer describes, checked against the rules it was shown: a JSON array of
 * `{section, text, merges}` with a known section, a one-line text, and keys it was shown, each used once.
 */
export function parseAnswer(answer: string, digest: Digest): MergedRule[] {
  const value = jsonOf(answer);
  if (!Array.isArray(value)) throw new MalformedAnswerError('not a JSON list');
  const known = digest.keyOf;
  const used = new Set<string>();
  return value.map((item, i) => {
    const at = `rule ${i + 1}`;
    if (typeof item !== 'object' || item === null) throw new MalformedAnswerError(`${at} is not an object`);
    const { section, text, merges } = item as Record<string, unknown>;
    if (!SECTIONS.includes(section as Section)) throw new MalformedAnswerError(`${at} has no known section`);
    if (typeof text !== 'string' || text.trim() === '') throw new MalformedAnswerError(`${at} has no text`);
    const line = redactSecrets(oneLine(text));
    if (line.length > RULE_CHARS)
      throw new MalformedAnswerError(`${at} is longer than ${RULE_CHARS} characters`);
    if (!Array.isArray(merges) || merges.length === 0) throw new MalformedAnswerError(`${at} merges no rule`);
    for (const key of merges) {
      if (typeof key !== 'string' || !known.has(key))
        throw new MalformedAnswerError(`${at} names an unknown rule`);
      if (used.has(key)) throw new MalformedAnswerError(`${at} names a rule another one already merges`);
      used.add(key);
    }
    return { section: section as Section, text: line, keys: merges.map((key) => known.get(key) as string) };
  });
}
