// The managed block in an agent's instructions file: rules rendered between two markers, spliced into the
// file so that nothing outside the markers ever changes, and written atomically with a backup.

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HeadroomError } from '../errors.js';
import { type Rule, SECTIONS } from './rules.js';

export const BLOCK_START = '<!-- headroom:learn:start -->';
export const BLOCK_END = '<!-- headroom:learn:end -->';
const DATE_LINE = /^Updated by `headroom learn` on \d{4}-\d{2}-\d{2}\.$/m;

/** An instructions file whose markers are not one start followed by one end. */
export class BrokenBlockError extends HeadroomError {}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The block for `rules` (markers included), dated `day` (YYYY-MM-DD). */
export function renderBlock(rules: readonly Rule[], day: string): string {
  const lines = [
    BLOCK_START,
    '## Learned from past sessions',
    '',
    `Updated by \`headroom learn\` on ${day}.`,
  ];
  for (const section of SECTIONS) {
    const inSection = rules.filter((rule) => rule.section === section);
    if (inSection.length === 0) continue;
    lines.push('', `### ${section}`, '');
    for (const rule of inSection) {
      lines.push(`- ${rule.text} (${plural(rule.evidence, 'time')} in ${plural(rule.sessions, 'session')})`);
    }
  }
  lines.push(BLOCK_END);
  return lines.join('\n');
}

/** Where the block sits in `text`: [start, end) over the markers, or undefined when there is none. */
export function findBlock(text: string, file: string): [number, number] | undefined {
  const start = text.indexOf(BLOCK_START);
  const end = text.indexOf(BLOCK_END);
  if (start === -1 && end === -1) return undefined;
  const broken =
    start === -1 ||
    end === -1 ||
    end < start ||
    text.indexOf(BLOCK_START, start + 1) !== -1 ||
    text.indexOf(BLOCK_END, end + 1) !== -1;
  if (broken) {
    throw new BrokenBlockError(
      `${file} has a damaged headroom learn block: it needs one ${BLOCK_START} line followed by one ${BLOCK_END} line; fix or remove the markers`,
    );
  }
  return [start, end + BLOCK_END.length];
}

/**
 * `existing` (undefined: no file yet) with its block holding `rules`. The date changes only with the rules:
 * a block that would say the same keeps its old date, so a run with nothing new leaves the file byte-identical.
 * Undefined when there is nothing to write (no rules and no block).
 */
export function spliceBlock(
  existing: string | undefined,
  rules: readonly Rule[],
  day: string,
  file: string,
): string | undefined {
  const text = existing ?? '';
  const at = findBlock(text, file);
  if (!at && rules.length === 0) return existing;
  let block = renderBlock(rules, day);
  if (at) {
    const old = text.slice(at[0], at[1]);
    const oldDay = DATE_LINE.exec(old)?.[0];
    if (oldDay && old.replace(DATE_LINE, '') === block.replace(DATE_LINE, '')) block = old;
    return text.slice(0, at[0]) + block + text.slice(at[1]);
  }
  if (text === '') return `${block}\n`;
  const gap = text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return `${text}${gap}${block}\n`;
}

/** The file's text, or undefined when it does not exist. */
export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HeadroomError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** The backup `writeAtomically` leaves of a file it replaces. */
export const backupOf = (file: string) => `${file}.headroom-learn.bak`;

/**
 * Replace `file` with `text` so that a reader sees the old file or the new one, never a part: written to a
 * temporary file beside it, flushed, then renamed over it. The old file is copied to its backup first.
 */
export function writeAtomically(file: string, text: string): { backup: string | undefined } {
  let mode = 0o644;
  let backup: string | undefined;
  try {
    mode = statSync(file).mode & 0o777;
    backup = backupOf(file);
    copyFileSync(file, backup);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new HeadroomError(`cannot back up ${file}: ${(error as Error).message}`);
    }
  }
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'wx', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created, or already renamed.
    }
    throw new HeadroomError(`cannot write ${file}: ${(error as Error).message}`);
  }
  return { backup };
}
