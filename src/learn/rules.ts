// Findings from every session turned into rules an agent can follow, grouped across sessions by what they
// say: each rule carries how often it was seen, in how many sessions, and the tokens those failures cost.

import { oneLine } from '../compress/lines.js';
import type { Finding, LoopFinding, RecoveryFinding, UnrecoveredFinding } from './miner.js';
import { redactSecrets } from './redact.js';
import { describeSignature } from './signatures.js';
import type { ToolCall } from './types.js';

export const SECTIONS = ['Commands', 'Paths', 'Loops', 'Known failures'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Rule {
  /** What the rule is about, the same for the same lesson in any session: rules group by it. */
  key: string;
  section: Section;
  text: string;
  /** Times the lesson was seen: failure-recovery pairs, loops, or failures. */
  evidence: number;
  sessions: number;
  /** Tokens the failures behind the rule cost, on average per session that had them. */
  wastedTokensPerSession: number;
  agents: string[];
  /** The rules a model merged or rephrased into this one, by key (absent on the rules mined as they are). */
  merges?: string[];
}

/** A failure nothing fixed becomes a rule only once it has been seen in this many sessions. */
const UNRECOVERED_SESSIONS = 2;
/** Longest command quoted in a rule; longer ones are cut with an ellipsis. */
const QUOTED_CHARS = 100;

/** `text` as inline code that stays inline: one line, no backticks inside, secrets blanked. */
function code(text: string): string {
  const line = redactSecrets(oneLine(text)).replace(/`/g, "'");
  return `\`${line.length > QUOTED_CHARS ? `${line.slice(0, QUOTED_CHARS - 1)}…` : line}\``;
}

/** A path as the project's files name it: relative to the project when it lies inside. */
function projectPath(call: ToolCall): string {
  const root = call.project?.replace(/\/+$/, '');
  return root && call.target.startsWith(`${root}/`) ? call.target.slice(root.length + 1) : call.target;
}

interface Lesson {
  key: string;
  section: Section;
  text: string;
}

function recoveryLesson(finding: RecoveryFinding): Lesson | undefined {
  const { failure, recovery, signature } = finding;
  if (failure.action === 'read' || failure.action === 'edit') {
    const [wrong, right] = [projectPath(failure), projectPath(recovery)];
    return {
      key: `path:${wrong}=>${right}`,
      section: 'Paths',
      text: `${code(wrong)} does not exist; the file is ${code(right)}.`,
    };
  }
  const reason = describeSignature(signature, failure.exitCode);
  const fix = finding.fixes.at(-1);
  if (fix) {
    return {
      key: `before:${fix}=>${failure.target}`,
      section: 'Commands',
      text: `Run ${code(fix)} before ${code(failure.target)} (without it: ${reason}).`,
    };
  }
  if (signature.reason === 'command-not-found' && signature.subject) {
    return {
      key: `instead:${failure.target}=>${recovery.target}`,
      section: 'Commands',
      text: `Run ${code(recovery.target)}, not ${code(failure.target)}: ${reason} here.`,
    };
  }
  return {
    key: `instead:${failure.target}=>${recovery.target}`,
    section: 'Commands',
    text: `Use ${code(recovery.target)} instead of ${code(failure.target)} (${reason}).`,
  };
}

function unrecoveredLesson(finding: UnrecoveredFinding): Lesson | undefined {
  const { failure, signature } = finding;
  if (failure.target === '' || failure.action === 'search' || failure.action === 'other') return undefined;
  const subject = failure.action === 'command' ? failure.target : projectPath(failure);
  const reason = describeSignature(signature, failure.exitCode);
  return {
    key: `fails:${failure.action}:${subject}`,
    section: 'Known failures',
    text:
      signature.reason === 'interrupted'
        ? `The user stopped ${code(subject)}: ask before running it.`
        : `${code(subject)} fails here (${reason}); find another way before trying it.`,
  };
}

function loopLesson(finding: LoopFinding): Lesson | undefined {
  const { call } = finding;
  if (call.target === '') return undefined;
  const subject = call.action === 'command' ? call.target : projectPath(call);
  if (finding.kind === 'refetch') {
    return {
      key: `refetch:${call.action}:${subject.replace(/\d+/g, '#')}`,
      section: 'Loops',
      text: `The output of ${code(subject)} is long: narrow it (a filter, a path, a quieter flag) instead of re-running it with a larger limit.`,
    };
  }
  const reason = finding.signature ? describeSignature(finding.signature, call.exitCode) : 'an error';
  return {
    key: `loop:${call.action}:${subject}`,
    section: 'Loops',
    text: `Do not re-run ${code(subject)} unchanged: it failed several times in a row (${reason}).`,
  };
}

function lessonOf(finding: Finding): Lesson | undefined {
  if (finding.kind === 'recovery') return recoveryLesson(finding);
  if (finding.kind === 'unrecovered') return unrecoveredLesson(finding);
  return loopLesson(finding);
}

const failedCall = (finding: Finding) => ('call' in finding ? finding.call : finding.failure);

interface Tally {
  lesson: Lesson;
  evidence: number;
  sessions: Set<string>;
  agents: Set<string>;
  wastedTokens: number;
  /** The start of the first failure's output. */
  excerpt: string;
}

function tallyLessons(findings: Iterable<Finding>): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  for (const finding of findings) {
    const found = lessonOf(finding);
    if (!found) continue;
    // Keys are printed (`--json`) and shown to a model: secrets in the commands they name are blanked too.
    const lesson = { ...found, key: redactSecrets(found.key) };
    const call = failedCall(finding);
    let tally = tallies.get(lesson.key);
    if (!tally) {
      tally = { lesson, evidence: 0, sessions: new Set(), agents: new Set(), wastedTokens: 0, excerpt: '' };
      tallies.set(lesson.key, tally);
    }
    if (tally.evidence === 0) tally.excerpt = excerptOf(call.text);
    tally.evidence++;
    tally.sessions.add(`${call.agent}:${call.session}`);
    tally.agents.add(call.agent);
    tally.wastedTokens += finding.wastedTokens;
  }
  return tallies;
}

const ruleOf = (t: Tally, merges?: string[]): Rule => ({
  key: t.lesson.key,
  section: t.lesson.section,
  text: t.lesson.text,
  evidence: t.evidence,
  sessions: t.sessions.size,
  wastedTokensPerSession: Math.round(t.wastedTokens / t.sessions.size),
  agents: [...t.agents].sort(),
  ...(merges ? { merges } : {}),
});

/** Strongest first: more evidence, more sessions, then by key. */
const strongestFirst = (a: Rule, b: Rule) =>
  b.evidence - a.evidence || b.sessions - a.sessions || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The rules `findings` support, strongest first (more evidence, more sessions, then by key). */
export function buildRules(findings: Iterable<Finding>): Rule[] {
  return [...tallyLessons(findings).values()]
    .filter((t) => t.lesson.section !== 'Known failures' || t.sessions.size >= UNRECOVERED_SESSIONS)
    .map((t) => ruleOf(t))
    .sort(strongestFirst);
}

/** Longest excerpt of a failure's output kept for a rule: enough to show what went wrong, no more. */
export const EXCERPT_CHARS = 200;

/** The start of a failure's output, on one line, secrets blanked. */
function excerptOf(text: string): string {
  const line = redactSecrets(oneLine(text));
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS - 1)}…` : line;
}

/** For each rule `findings` support, the start of the output of the first failure behind it. */
export function ruleExcerpts(findings: Iterable<Finding>): Map<string, string> {
  return new Map([...tallyLessons(findings)].map(([key, tally]) => [key, tally.excerpt]));
}

/** Rules rephrased or merged elsewhere: new words for the rules under `keys`, the evidence still theirs. */
export interface MergedRule {
  section: Section;
  text: string;
  keys: readonly string[];
}

/**
 * `rules` with each merge in place of the rules it names: its text and section, and the evidence, sessions,
 * agents and tokens of the failures behind those rules, counted from `findings` as `buildRules` counts them
 * (a session behind two merged rules counts once). Rules no merge names stay as they are.
 */
export function mergeRules(
  findings: Iterable<Finding>,
  rules: readonly Rule[],
  merges: readonly MergedRule[],
): Rule[] {
  const tallies = tallyLessons(findings);
  const merged = new Set(merges.flatMap((m) => m.keys));
  const out = rules.filter((rule) => !merged.has(rule.key));
  for (const merge of merges) {
    const keys = [...merge.keys].sort();
    const parts = keys.map((key) => tallies.get(key)).filter((t): t is Tally => t !== undefined);
    if (parts.length === 0) continue;
    const combined: Tally = {
      lesson: {
        key: keys.length === 1 ? (keys[0] as string) : `merged:${keys.join('|')}`,
        section: merge.section,
        text: merge.text,
      },
      evidence: parts.reduce((sum, t) => sum + t.evidence, 0),
      sessions: new Set(parts.flatMap((t) => [...t.sessions])),
      agents: new Set(parts.flatMap((t) => [...t.agents])),
      wastedTokens: parts.reduce((sum, t) => sum + t.wastedTokens, 0),
      excerpt: '',
    };
    out.push(ruleOf(combined, keys));
  }
  return out.sort(strongestFirst);
}
