// Command output an agent's side call embeds only to learn which files it names: every distinct path-like
// name it holds, in order of first appearance, and nothing else. Never picked by detection: the caller who
// recognised the side call asks for this kind.

import { splitLines } from '../lines.js';
import type { Transform } from '../types.js';

// Output is cut into words at spaces, quotes and brackets. A word names a file when its last part has an
// extension (`package.json`, `src/a.ts`), is a dotfile (`.env`) or a well-known extensionless name
// (`Makefile`); directories and URL routes (`/orders/7`) are not files a command reads. `src/a.ts:12:3` and
// `a.py:40: error` name a file at a place: the file is the part before the first colon. Anchored checks on
// single words keep the scan linear on long lines.
const SEPARATORS = /[\s"'`()<>[\]{},;|=]+/;
const PATH_CHARS = /^[\w@.+~/-]+$/;
const FILE_NAME = /^[\w@+~-][\w@.+~-]*\.[a-z0-9][\w-]{0,9}$/i;
const DOTFILE = /^\.\w[\w.-]*$/;
const EXTENSIONLESS = new Set([
  'BUILD',
  'CODEOWNERS',
  'Dockerfile',
  'Gemfile',
  'Jenkinsfile',
  'LICENSE',
  'Makefile',
  'Procfile',
  'README',
  'Rakefile',
  'Vagrantfile',
  'WORKSPACE',
]);

function pathIn(word: string): string | undefined {
  const colon = word.indexOf(':');
  const name = (colon === -1 ? word : word.slice(0, colon)).replace(/\.+$/, '');
  if (name.length < 2 || !PATH_CHARS.test(name)) return undefined;
  const base = name.slice(name.lastIndexOf('/') + 1);
  return FILE_NAME.test(base) || DOTFILE.test(base) || EXTENSIONLESS.has(base) ? name : undefined;
}

export const paths: Transform = {
  name: 'paths',
  kinds: ['paths'],
  detect: () => false,
  compress(text) {
    const found = new Set<string>();
    for (const line of splitLines(text)) {
      for (const word of line.split(SEPARATORS)) {
        const path = word ? pathIn(word) : undefined;
        if (path) found.add(path);
      }
    }
    const kept = [...found].join('\n');
    if (kept.length >= text.length) return undefined;
    const lines = splitLines(text).length;
    return {
      text: kept,
      summary: `${lines} lines of command output shortened to the ${found.size} distinct file paths they name`,
    };
  },
};
