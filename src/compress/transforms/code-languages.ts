// The languages the code transform outlines with a grammar: how each is recognised (file extension, then a
// cheap look at the content), where its functions and bodies are, and how it writes a comment.

/** A language with a tree-sitter grammar. */
export type LanguageName =
  | 'python'
  | 'javascript'
  | 'typescript'
  | 'tsx'
  | 'go'
  | 'rust'
  | 'java'
  | 'c'
  | 'cpp';

export interface LanguageSpec {
  name: LanguageName;
  /** The grammar's file in the grammar package (`out/tree-sitter-<grammar>.wasm`). */
  grammar: string;
  /** How a line comment starts. */
  comment: string;
  /**
   * Definitions whose body can be elided, as a tree-sitter query: each match captures the definition as
   * `@definition` and its body as `@body`.
   */
  definitions: string;
  /** Braces: the lines between `{` and `}` go. Indentation (Python): the block's statements go. */
  blocks: 'braces' | 'indentation';
  /** Comments (and Python's docstrings) as a tree-sitter query capturing each as `@comment`. */
  comments: string;
}

const COMMENT = '(comment) @comment';
const LINE_AND_BLOCK_COMMENTS = '[(line_comment) (block_comment)] @comment';

// Only bodies in braces (a statement block) are elided in the C family: an arrow function or a lambda whose
// body is an expression has no lines of its own to drop.
const JS_DEFINITIONS = `[
  (function_declaration body: (statement_block) @body)
  (generator_function_declaration body: (statement_block) @body)
  (function_expression body: (statement_block) @body)
  (generator_function body: (statement_block) @body)
  (arrow_function body: (statement_block) @body)
  (method_definition body: (statement_block) @body)
] @definition`;

export const LANGUAGES: Readonly<Record<LanguageName, LanguageSpec>> = {
  python: {
    name: 'python',
    grammar: 'python',
    comment: '#',
    definitions: '(function_definition body: (block) @body) @definition',
    blocks: 'indentation',
    comments: '[(comment) @comment (expression_statement (string) @comment)]',
  },
  javascript: {
    name: 'javascript',
    grammar: 'javascript',
    comment: '//',
    definitions: JS_DEFINITIONS,
    blocks: 'braces',
    comments: COMMENT,
  },
  typescript: {
    name: 'typescript',
    grammar: 'typescript',
    comment: '//',
    definitions: JS_DEFINITIONS,
    blocks: 'braces',
    comments: COMMENT,
  },
  tsx: {
    name: 'tsx',
    grammar: 'tsx',
    comment: '//',
    definitions: JS_DEFINITIONS,
    blocks: 'braces',
    comments: COMMENT,
  },
  go: {
    name: 'go',
    grammar: 'go',
    comment: '//',
    definitions: `[
      (function_declaration body: (block) @body)
      (method_declaration body: (block) @body)
      (func_literal body: (block) @body)
    ] @definition`,
    blocks: 'braces',
    comments: COMMENT,
  },
  rust: {
    name: 'rust',
    grammar: 'rust',
    comment: '//',
    definitions: `[
      (function_item body: (block) @body)
      (closure_expression body: (block) @body)
    ] @definition`,
    blocks: 'braces',
    comments: LINE_AND_BLOCK_COMMENTS,
  },
  java: {
    name: 'java',
    grammar: 'java',
    comment: '//',
    definitions: `[
      (method_declaration body: (block) @body)
      (constructor_declaration body: (constructor_body) @body)
      (compact_constructor_declaration body: (block) @body)
      (lambda_expression body: (block) @body)
    ] @definition`,
    blocks: 'braces',
    comments: LINE_AND_BLOCK_COMMENTS,
  },
  c: {
    name: 'c',
    grammar: 'c',
    comment: '//',
    definitions: '(function_definition body: (compound_statement) @body) @definition',
    blocks: 'braces',
    comments: COMMENT,
  },
  cpp: {
    name: 'cpp',
    grammar: 'cpp',
    comment: '//',
    definitions: `[
      (function_definition body: (compound_statement) @body)
      (lambda_expression body: (compound_statement) @body)
    ] @definition`,
    blocks: 'braces',
    comments: COMMENT,
  },
};

const BY_EXTENSION: Readonly<Record<string, LanguageName>> = {
  py: 'python',
  pyi: 'python',
  pyw: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  go: 'go',
  rs: 'rust',
  java: 'java',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  'c++': 'cpp',
  hh: 'cpp',
  hpp: 'cpp',
  hxx: 'cpp',
  ipp: 'cpp',
  tpp: 'cpp',
  ino: 'cpp',
};

/** Line comments of languages without a grammar here, for the indentation rule's notes. */
const OTHER_COMMENTS: Readonly<Record<string, string>> = {
  rb: '#',
  sh: '#',
  bash: '#',
  zsh: '#',
  pl: '#',
  pm: '#',
  r: '#',
  ex: '#',
  exs: '#',
  jl: '#',
  nim: '#',
  cr: '#',
  ps1: '#',
  tcl: '#',
  cmake: '#',
  lua: '--',
  sql: '--',
  hs: '--',
  elm: '--',
  ada: '--',
  el: ';',
  clj: ';',
  lisp: ';',
  scm: ';',
  erl: '%',
  tex: '%',
};

/** The lower-cased extension of a path (`src/A.Test.TS` → `ts`), or ''. */
export function extensionOf(path: string | undefined): string {
  const name = (path ?? '').split(/[\\/]/).at(-1) ?? '';
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** What a block of source is written in, as far as the code transform is concerned. */
export type Recognised =
  | {
      kind: 'grammar';
      spec: LanguageSpec /** When parsing fails, try this one (a `.h` can be C++). */;
      alternative?: LanguageSpec;
    }
  | { kind: 'other'; comment: string };

/** The language of a block: from the file's extension when the call names a file, else from the content. */
export function recogniseLanguage(pathHint: string | undefined, code: readonly string[]): Recognised {
  const extension = extensionOf(pathHint);
  const named = BY_EXTENSION[extension];
  if (named === 'c' && extension === 'h') {
    return { kind: 'grammar', spec: LANGUAGES.c, alternative: LANGUAGES.cpp };
  }
  if (named) return { kind: 'grammar', spec: LANGUAGES[named] };
  const other = OTHER_COMMENTS[extension];
  if (other) return { kind: 'other', comment: other };
  const sniffed = sniffLanguage(code);
  if (sniffed) return { kind: 'grammar', spec: LANGUAGES[sniffed] };
  return { kind: 'other', comment: guessComment(code) };
}

const SNIFF_LINES = 200;
const SHEBANG = /^#!.*\b(python[\d.]*|node|nodejs|deno|bun|ts-node|tsx)\b/;
const GO_PACKAGE = /^package \w+\s*$/;
const GO_FUNC = /^func\b/;
const JAVA_PACKAGE = /^package [\w.]+;\s*$/;
const JAVA_IMPORT = /^import (static )?[\w.]+(\.\*)?;\s*$/;
const JAVA_MEMBER =
  /^\s*(public|private|protected)\s+(static\s+|final\s+|abstract\s+)*(class|interface|enum|record|[\w<>[\], ]+\s+\w+\s*\()/;
const RUST_MARKER =
  /^\s*(pub(\([\w:]+\))?\s+)?(fn|struct|enum|impl|trait|mod)\s+\w|^\s*use [\w:]+(::[\w{}*, ]+)?;|\blet\s+mut\b|^\s*#!?\[\w+/;
// `#include`, `#ifndef`: written without a space after `#`, unlike a Python or shell comment.
const C_PREPROCESSOR = /^\s*#(include|define|undef|ifdef|ifndef|if|elif|else|endif|pragma)\b/;
const C_SIGNATURE =
  /^\s*((static|extern|inline|const|unsigned|signed|struct|enum|[A-Z][A-Z0-9]*_[A-Z0-9_]+)\s+)*(void|int|char|long|short|float|double|size_t|bool|u8|u16|u32|u64|i64|\w+_t)\s*\**\s*\w+\s*\(/;
const CPP_MARKER =
  /\bstd::|\bnamespace\s+\w+|\btemplate\s*<|^\s*class\s+\w+|^\s*(public|private|protected):|\w::~?\w+\s*\(/;
const PYTHON_MARKER =
  /^\s*(def\s+\w+\s*\(.*|class\s+\w+.*:\s*$|from\s+[\w.]+\s+import\s|import\s+[\w.]+(\s+as\s+\w+)?\s*$|elif\s.*:\s*$|except\b.*:\s*$|if\s.*:\s*$|@\w[\w.]*)/;
const BRACE_LINE = /[{};]\s*$/;
const TS_MARKER =
  /^\s*(export\s+)?(interface|type|enum|namespace|declare)\s+\w|\bimport\s+type\b|:\s*(string|number|boolean|unknown|void|never|any)\b|\bas\s+const\b|\)\s*:\s*[\w<>[\]|]+\s*(=>|\{)/;
// A closing tag, a self-closing one, or a line that opens with a tag: not a generic's `<Uint8Array>`.
const JSX_MARKER = /<\/[A-Za-z][\w.]*>|\/>\s*$|^\s*<[A-Za-z][\w.]*(\s+[\w-]+=|\s*>|\s*$)/;
const JS_MARKER =
  /^\s*(import\s.+\sfrom\s|export\s|const\s+\w|let\s+\w|var\s+\w|function\s*\*?\s*\w|module\.exports|(async\s+)?\w+\s*\(.*\)\s*\{$)|\brequire\(['"]/;

function count(lines: readonly string[], pattern: RegExp): number {
  let hits = 0;
  for (const line of lines) if (pattern.test(line)) hits++;
  return hits;
}

/** A cheap guess from the first lines; a wrong guess fails to parse and falls back, so it may err. */
export function sniffLanguage(code: readonly string[]): LanguageName | undefined {
  const lines: string[] = [];
  for (const line of code) {
    if (line.trim() !== '') lines.push(line);
    if (lines.length >= SNIFF_LINES) break;
  }
  if (lines.length === 0) return undefined;
  const shebang = SHEBANG.exec(lines[0] as string)?.[1];
  if (shebang) {
    if (shebang.startsWith('python')) return 'python';
    return shebang === 'ts-node' || shebang === 'tsx' || shebang === 'deno' ? 'typescript' : 'javascript';
  }
  if (lines.some((l) => GO_PACKAGE.test(l)) && lines.some((l) => GO_FUNC.test(l))) return 'go';
  if (
    lines.some((l) => JAVA_PACKAGE.test(l)) ||
    (count(lines, JAVA_IMPORT) >= 2 && count(lines, JAVA_MEMBER) >= 1)
  ) {
    return 'java';
  }
  if (count(lines, RUST_MARKER) >= 3) return 'rust';
  const cpp = count(lines, CPP_MARKER);
  if (lines.some((l) => C_PREPROCESSOR.test(l)) || count(lines, C_SIGNATURE) >= 2 || cpp >= 3) {
    return cpp >= 2 ? 'cpp' : 'c';
  }
  const braces = count(lines, BRACE_LINE);
  const python = count(lines, PYTHON_MARKER);
  if (python >= 2 && python >= braces) return 'python';
  if (count(lines, TS_MARKER) >= 2) return count(lines, JSX_MARKER) >= 2 ? 'tsx' : 'typescript';
  if (count(lines, JS_MARKER) >= 2) return 'javascript';
  return undefined;
}

/** The line comment of an unknown language: `#` when its comments look like that, else `//`. */
function guessComment(code: readonly string[]): string {
  const lines = code.slice(0, SNIFF_LINES);
  const hash = count(lines, /^\s*#(?!include|define|if|endif|pragma|import|!)/);
  const slashes = count(lines, /^\s*\/\//);
  return hash > slashes ? '#' : '//';
}
