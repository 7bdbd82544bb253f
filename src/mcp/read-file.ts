// What `headroom_read` reads: a file under the project root (or a directory the user allowed), whole or a
// line range of it, numbered the way `cat -n` numbers lines so the engine reads it as a file read.
// Everything a model could get wrong (a path outside, a directory, a binary file) is a one-line refusal.

import { realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A read the tool refuses, with the reason the model is shown. */
export class ReadRefused extends Error {
  override name = 'ReadRefused';
}

/** Largest file `headroom_read` takes: beyond it the engine would pass the text whole anyway. */
export const MAX_READ_BYTES = 8 * 1024 * 1024;

export interface ReadScope {
  /** The project root: relative paths start here, and reads stay under it... */
  root: string;
  /** ...or under one of these directories the user allowed as well. */
  allowed: readonly string[];
}

export interface NumberedFile {
  /** The file's real path. */
  path: string;
  /** Its lines from `first` to `last`, each as `cat -n` prints it. */
  text: string;
  first: number;
  last: number;
  totalLines: number;
}

const inside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The real path of `path` when it lies inside the scope (symbolic links followed), else a refusal. */
export function pathInScope(path: string, scope: ReadScope): string {
  const wanted = resolve(scope.root, path);
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    throw new ReadRefused(`no such file: ${path}`);
  }
  const roots = [scope.root, ...scope.allowed].map((dir) => realOrSelf(resolve(scope.root, dir)));
  if (!roots.some((dir) => inside(dir, real))) {
    throw new ReadRefused(
      `${path} is outside the project root ${scope.root}; allow its directory with HEADROOM_MCP_READ_PATHS`,
    );
  }
  return real;
}

/** Read `path` (lines `from`..`to`, 1-based and inclusive, when given), numbered. */
export async function readNumbered(
  path: string,
  scope: ReadScope,
  range: { from?: number; to?: number } = {},
): Promise<NumberedFile> {
  const real = pathInScope(path, scope);
  const info = statSync(real);
  if (info.isDirectory()) throw new ReadRefused(`${path} is a directory, not a file`);
  if (info.size > MAX_READ_BYTES) {
    throw new ReadRefused(`${path} is ${info.size} bytes; headroom_read takes files up to ${MAX_READ_BYTES}`);
  }
  const bytes = await readFile(real);
  if (bytes.includes(0)) throw new ReadRefused(`${path} is a binary file`);
  const lines = bytes.toString('utf8').split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const first = Math.max(1, range.from ?? 1);
  const last = Math.min(lines.length, range.to ?? lines.length);
  if (first > lines.length) {
    throw new ReadRefused(`${path} has ${lines.length} lines; line ${first} is past its end`);
  }
  if (last < first) throw new ReadRefused(`the line range ends (${last}) before it starts (${first})`);
  const text = lines
    .slice(first - 1, last)
    .map((line, i) => `${String(first + i).padStart(6)}\t${line}`)
    .join('\n');
  return { path: real, text, first, last, totalLines: lines.length };
}
