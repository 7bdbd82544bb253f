// Which old tool outputs a conversation no longer needs whole, and the short stub each becomes. Pure: the
// proxy asks only at a rewrite point (cache cold, or the context near the model's window) and keeps the
// answer, so every later request carries the same stubs at the same places.

import { createHash } from 'node:crypto';
import { oneLine } from './lines.js';
import { formatMarker, originalId } from './marker.js';
import { lineDelta } from './near-duplicate.js';
import { editsOf, normalisedPath, pathHint, shellCommand, type ToolPolicy } from './policy.js';
import type { ToolOutput } from './types.js';

/** Why an output became a stub; kept with the decision, since the stub's words say it. */
export type StaleReason = 'superseded-read' | 'superseded-command' | 'near-duplicate' | 'old';

export const STALE_REASONS: readonly StaleReason[] = [
  'superseded-read',
  'superseded-command',
  'near-duplicate',
  'old',
];

/** A tool output with where it sits in the conversation. */
export interface HistoryOutput extends ToolOutput {
  /** Index of the message (item, content) that holds it. */
  message: number;
}

/** Text the model wrote (its turns' text and its calls' arguments), with the message that holds it. */
export interface ModelText {
  message: number;
  text: string;
}

export interface StaleOptions {
  /** The latest turns with tool outputs that always stay whole (default 4). */
  keepTurns?: number;
  /** Outputs more than this many turns old become stubs when large (default 10). */
  oldTurns?: number;
  /** Below this many tokens (characters / 4) an output stays whole whatever its age (default 300). */
  minTokens?: number;
}

export const HISTORY_DEFAULTS = { keepTurns: 4, oldTurns: 10, minTokens: 300 } as const;

/** One output found stale: its key (how the decision names it) and why. */
export interface StaleOutput {
  index: number;
  key: string;
  reason: StaleReason;
}

/**
 * The name a stub decision keeps for an output: its call, its place and its text, so no other output shares
 * it (Gemini's calls carry no ids: an identical output later in the conversation is another output).
 */
export function stubKey(output: Pick<HistoryOutput, 'callId' | 'text' | 'message'>): string {
  return createHash('sha256')
    .update(`${output.callId ?? ''}\u0000${output.message}\u0000`)
    .update(output.text)
    .digest('hex')
    .slice(0, 24);
}

// Later outputs of the same tool an output is compared with for a near-duplicate (as the engine's dedup does).
const LATER_COMPARED = 8;

// A line this long found verbatim in what the model wrote later is a quote, not a coincidence.
const QUOTED_LINE_CHARS = 40;
// Lines of one output looked up in the model's text, at most: bounds the work on huge outputs.
const QUOTED_LINES_CHECKED = 400;

/**
 * Turn numbers of outputs in conversation order. Every format puts the results of one model turn in one
 * message or in consecutive ones, and the model's own turn between two turns' results: a gap of more than
 * one message starts a new turn.
 */
function turnsOf(outputs: readonly HistoryOutput[]): number[] {
  const turns: number[] = [];
  let turn = 0;
  outputs.forEach((output, i) => {
    const previous = outputs[i - 1];
    if (previous && output.message > previous.message + 1) turn++;
    turns.push(turn);
  });
  return turns;
}

function quoted(text: string, later: string): boolean {
  let checked = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.length < QUOTED_LINE_CHARS) continue;
    if (later.includes(trimmed)) return true;
    if (++checked >= QUOTED_LINES_CHECKED) break;
  }
  return false;
}

/** What the model wrote after message `message`, joined. */
function writtenAfter(model: readonly ModelText[], message: number): string {
  return model
    .filter((m) => m.message > message)
    .map((m) => m.text)
    .join('\n');
}

/** The files an output is a read or an edit of, and the command it ran (for "the same command later"). */
function subjectOf(
  output: ToolOutput,
  policy: ToolPolicy,
): { read?: string; edits: string[]; command?: string } {
  const decision = policy.decide(output);
  if (decision === 'file-read') {
    const path = pathHint(output.toolArgs);
    return { read: path ? normalisedPath(path) : undefined, edits: [] };
  }
  const edits = editsOf(decision, output.toolArgs);
  if (decision === 'edit-tool') return { edits };
  const command = shellCommand(output.toolArgs);
  const name = output.toolName ?? '';
  return { edits, command: command === undefined ? undefined : `${name}\u0000${command.trim()}` };
}

/**
 * The outputs of a conversation that can become stubs: file reads a later read or edit of the same file
 * superseded, command outputs a later run of the same command superseded, and large outputs more than
 * `oldTurns` turns old. The latest `keepTurns` turns stay whole, and so does any output the model later
 * quoted or named by its call id or original id.
 */
export function staleOutputs(
  outputs: readonly HistoryOutput[],
  model: readonly ModelText[],
  policy: ToolPolicy,
  options: StaleOptions = {},
): StaleOutput[] {
  const keepTurns = options.keepTurns ?? HISTORY_DEFAULTS.keepTurns;
  const oldTurns = options.oldTurns ?? HISTORY_DEFAULTS.oldTurns;
  const minChars = (options.minTokens ?? HISTORY_DEFAULTS.minTokens) * 4;
  const turns = turnsOf(outputs);
  const lastTurn = turns.at(-1) ?? 0;
  const subjects = outputs.map((output) => subjectOf(output, policy));
  // Walking backwards, the files read or edited and the commands run later than the output in hand.
  const laterFiles = new Set<string>();
  const laterCommands = new Set<string>();
  const stale: StaleOutput[] = [];
  for (let i = outputs.length - 1; i >= 0; i--) {
    const output = outputs[i]!;
    const subject = subjects[i]!;
    const turn = turns[i]!;
    let reason: StaleReason | undefined;
    if (lastTurn - turn >= keepTurns && output.text.length >= minChars) {
      if (subject.read && laterFiles.has(subject.read)) reason = 'superseded-read';
      else if (subject.command && laterCommands.has(subject.command)) reason = 'superseded-command';
      else if (repeatedLater(outputs, i, turns)) reason = 'near-duplicate';
      else if (lastTurn - turn > oldTurns) reason = 'old';
    }
    if (reason && !referred(output, writtenAfter(model, output.message)))
      stale.push({ index: i, key: stubKey(output), reason });
    // Results of one turn do not supersede each other: the later turn's do.
    if (outputs[i - 1] === undefined || turns[i - 1] !== turn) {
      for (let j = i; j < outputs.length && turns[j] === turn; j++) {
        const s = subjects[j]!;
        if (s.read) laterFiles.add(s.read);
        for (const path of s.edits) laterFiles.add(path);
        if (s.command) laterCommands.add(s.command);
      }
    }
  }
  return stale.reverse();
}

/** True when `later` names `id` as a whole token: `call_1` is not named by `call_12`. */
function names(later: string, id: string): boolean {
  for (let at = later.indexOf(id); at !== -1; at = later.indexOf(id, at + 1)) {
    const before = later[at - 1];
    const after = later[at + id.length];
    if (!(before && ID_CHAR.test(before)) && !(after && ID_CHAR.test(after))) return true;
  }
  return false;
}

const ID_CHAR = /[A-Za-z0-9_-]/;

/** True when an output of a later turn, of the same tool, repeats output `i` whole or but for a few lines. */
function repeatedLater(outputs: readonly HistoryOutput[], i: number, turns: readonly number[]): boolean {
  const output = outputs[i]!;
  const text = output.text.trim();
  let compared = 0;
  for (let j = i + 1; j < outputs.length && compared < LATER_COMPARED; j++) {
    const later = outputs[j]!;
    if (turns[j] === turns[i] || later.toolName !== output.toolName) continue;
    compared++;
    if (later.text.trim() === text || lineDelta(output.text, later.text) !== undefined) return true;
  }
  return false;
}

/** True when the model named the output by its call id or original id, or quoted a line of it. */
function referred(output: ToolOutput, later: string): boolean {
  if (!later) return false;
  if (output.callId && names(later, output.callId)) return true;
  if (later.includes(originalId(output.text))) return true;
  return quoted(output.text, later);
}

const SUMMARY_CHARS = 80;

function shortened(text: string): string {
  const line = oneLine(text);
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line;
}

/** What the output was, in a few words: `Read of src/app.ts`, `Bash output of "npm test"`. */
function whatItWas(output: ToolOutput): string {
  const tool = output.toolName || 'tool';
  const path = pathHint(output.toolArgs);
  if (path) return `${tool} of ${shortened(path)}`;
  const command = shellCommand(output.toolArgs);
  if (command) return `${tool} output of "${shortened(command)}"`;
  return `${tool} output`;
}

const REASON_WORDS: Record<StaleReason, string> = {
  'superseded-read': 'superseded by a later read or edit of the same file',
  'superseded-command': 'superseded by a later run of the same command',
  'near-duplicate': 'repeated, whole or but for a few lines, by a later output',
  old: 'from an earlier turn',
};

/** The stub an output becomes: what it was, its size, why it was set aside, and the retrieve marker. */
export function stubFor(output: ToolOutput, reason: StaleReason): string {
  const lines = output.text.split('\n').length;
  return formatMarker(
    `${whatItWas(output)} (${lines} lines, ${output.text.length} chars) set aside, ${REASON_WORDS[reason]}`,
    originalId(output.text),
  );
}
