// The indentation rule for source no grammar here parses (another language, a file with too many syntax
// errors, one too big to parse): top-level lines, declarations, fields set to their defaults and the lines
// naming what the reader asked about stay; the indented runs between them become one note each. Linear, and
// it never needs a grammar.

import { type Elision, MIN_ELIDED_LINES } from './code-elisions.js';
import type { NamesAsked } from './code-names.js';

const MODIFIERS =
  '(?:(?:export|default|public|private|protected|internal|static|abstract|final|sealed|async|override|open|inline|virtual|extern|unsafe|const|pub(?:\\([\\w:]+\\))?|data|suspend)\\s+)*';
const DECLARATION = new RegExp(
  `^${MODIFIERS}(?:import|from|package|use|using|include|require|module|namespace|class|struct|union|enum|interface|trait|impl|type|typedef|def|fn|func|function|fun|sub|proc|macro|object|record|protocol|extension|#\\s*(?:include|define|import|if|ifdef|ifndef|else|elif|endif|pragma))\\b|^@\\w`,
);
// A line of only closing brackets, which closes a kept declaration when it sits at the declaration's depth.
const CLOSING = /^[\]})]+[;,)]*$/;
const WORD = /[A-Za-z_$][\w$]*/g;
// A field set to a literal or a named constant (`self.trust_env = True`, `this.timeout = 0;`): an object's
// defaults, which a reader asks about whatever the request names.
const FIELD_DEFAULT =
  /^(?:self|this|@)\.?\w+\s*=\s*(?:[A-Z][A-Z0-9_]*|True|False|None|true|false|null|nil|-?\d[\w.]*|"[^"]*"|'[^']*')\s*;?$/;

function indentation(line: string): number {
  let width = 0;
  for (const char of line) {
    if (char === ' ') width++;
    else if (char === '\t') width += 4;
    else break;
  }
  return width;
}

function namesAsked(line: string, asked: NamesAsked): boolean {
  for (const word of line.match(WORD) ?? []) if (asked.named(word)) return true;
  return false;
}

/** The runs of lines the indentation rule drops, with blank lines at a run's edges left in place. */
export function indentationElisions(code: readonly string[], asked: NamesAsked): Elision[] {
  const keep: boolean[] = new Array(code.length).fill(false);
  let keptDepth = 0;
  code.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const depth = indentation(line);
    const kept =
      depth === 0 ||
      DECLARATION.test(trimmed) ||
      (CLOSING.test(trimmed) && depth <= keptDepth) ||
      namesAsked(line, asked) ||
      FIELD_DEFAULT.test(trimmed);
    if (kept) {
      keep[i] = true;
      keptDepth = depth;
    }
  });
  const elisions: Elision[] = [];
  let i = 0;
  while (i < code.length) {
    if (keep[i] || (code[i] as string).trim() === '') {
      i++;
      continue;
    }
    let end = i;
    while (end + 1 < code.length && !keep[end + 1]) end++;
    const start = i;
    i = end + 1;
    while (end > start && (code[end] as string).trim() === '') end--;
    if (end - start + 1 >= MIN_ELIDED_LINES) elisions.push({ start, end, what: '', needsStatement: false });
  }
  return elisions;
}
