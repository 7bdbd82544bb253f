// The outline of a parsed source file: which function bodies go. A body stays when the request names its
// function, when it is short, when it is mostly other functions (a module wrapper, a test suite: their bodies
// are weighed one by one), or when the request's terms rank it first among the bodies (code-relevance.ts).
// The outline is parsed again, and a body whose note breaks the parse stays.

import { Edit, type Node, type Tree } from 'web-tree-sitter';
import type { SourceLines } from '../numbered.js';
import { containsTerm, type Query } from '../query.js';
import { commentElisions } from './code-docs.js';
import { type Elision, MIN_ELIDED_LINES, noteFor, renderElided } from './code-elisions.js';
import { grammarFor, lastRow } from './code-grammars.js';
import { innerElisions, rowsToKeep } from './code-inner.js';
import type { LanguageName, LanguageSpec } from './code-languages.js';
import type { NamesAsked } from './code-names.js';
import { bodiesPointedAt, type Candidate, relevantBodies } from './code-relevance.js';

/** A parse with syntax errors over more than this share of its lines is the wrong language or not code. */
const MAX_ERROR_SHARE = 0.1;
/** A function whose nested functions take at least this share of its body is outlined inside, not elided. */
const WRAPPER_SHARE = 0.5;
/** Re-parses of the outline to find and keep bodies whose notes broke it, before giving up. */
const REPAIR_ROUNDS = 3;

interface Definition {
  node: Node;
  body: Node;
  startIndex: number;
  endIndex: number;
  name: string | undefined;
  what: string;
  wanted: boolean;
  /** Wanted because the file is named after it, not because the request names it. */
  byPath: boolean;
  /** A definition inside this one is wanted. */
  wantedInside: boolean;
  children: Definition[];
  range: Range | null | undefined;
}

interface Range {
  start: number;
  end: number;
  needsStatement: boolean;
}

/** What parsing a file with a grammar gave: its elisions, or the news that it does not parse. */
export type OutlineResult = { parsed: true; spec: LanguageSpec; elisions: Elision[] } | { parsed: false };

interface ErrorSpan {
  start: number;
  end: number;
}

/** The ERROR and MISSING nodes of a tree, visiting only the subtrees that hold one. */
function syntaxErrors(tree: Tree): ErrorSpan[] {
  const errors: ErrorSpan[] = [];
  const pending: Node[] = [tree.rootNode];
  while (pending.length > 0) {
    const node = pending.pop() as Node;
    if (node.isError || node.isMissing) {
      errors.push({ start: node.startPosition.row, end: lastRow(node) });
      continue;
    }
    if (!node.hasError) continue;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) pending.push(child);
    }
  }
  return errors;
}

function tooBroken(errors: readonly ErrorSpan[], lineCount: number): boolean {
  let rows = 0;
  for (const error of errors) rows += error.end - error.start + 1;
  return rows > lineCount * MAX_ERROR_SHARE;
}

// `#private` fields in JavaScript, `~Destructor` in C++.
const IDENTIFIER = /^[#~]?[A-Za-z_$][\w$]*$/;
// `NODE_METHOD(Statement::JS_run) {`, `TEST(Parser, Nested) {`: a macro that expands to a signature.
const MACRO = /^[A-Z][A-Z0-9_]*$/;

/** The identifier a name node's text ends with: `Parser::parse` → `parse`, `this.run` → `run`. */
function identifierOf(text: string): string | undefined {
  const last =
    text
      .replace(/<[^<>]*>$/, '')
      .split(/::|\.|->/)
      .at(-1)
      ?.trim() ?? '';
  return IDENTIFIER.test(last) ? last : undefined;
}

/**
 * C and C++: the name inside `int *Parser::parse(…)`, through pointer and reference declarators; for a
 * macro-made signature with no return type, the last name among the macro's arguments.
 */
function declaratorName(definition: Node, declarator: Node): string | undefined {
  let current: Node | null = declarator;
  for (let depth = 0; current && current.type !== 'function_declarator' && depth < 8; depth++) {
    current = current.childForFieldName('declarator') ?? current.namedChild(0);
  }
  const inner = current?.childForFieldName('declarator');
  if (!inner) return undefined;
  const name = identifierOf(inner.text);
  if (!name || !MACRO.test(name) || definition.childForFieldName('type')) return name;
  const parameters = current?.childForFieldName('parameters');
  const last = parameters?.namedChild(parameters.namedChildCount - 1);
  return (last && identifierOf(last.text)) ?? name;
}

// Where an anonymous function gets its name from: what it is bound or assigned to.
const BINDING_FIELDS: Readonly<Record<string, string>> = {
  variable_declarator: 'name',
  init_declarator: 'declarator',
  let_declaration: 'pattern',
  pair: 'key',
  assignment_expression: 'left',
  assignment: 'left',
  public_field_definition: 'name',
  field_definition: 'property',
  short_var_declaration: 'left',
};

function nameAndWhat(node: Node): { name: string | undefined; what: string } {
  const own = node.childForFieldName('name') ?? undefined;
  const declarator = own ? undefined : node.childForFieldName('declarator');
  let name = own ? identifierOf(own.text) : declarator ? declaratorName(node, declarator) : undefined;
  const parent = node.parent;
  if (!name && parent) {
    const field = BINDING_FIELDS[parent.type];
    const bound = field ? parent.childForFieldName(field) : null;
    if (bound && bound.startPosition.row === bound.endPosition.row) name = identifierOf(bound.text);
    if (!name && parent.type === 'arguments' && parent.parent) {
      const callee = parent.parent.childForFieldName('function');
      const text = callee?.text ?? '';
      if (text && text.length <= 40 && !text.includes('\n'))
        return { name, what: `function passed to ${text}` };
    }
  }
  return { name, what: name ? `body of ${name}` : 'function body' };
}

/** The lines of a definition's body that can go, or null when there are too few or they share a line. */
function elidableRange(definition: Definition, spec: LanguageSpec): Range | null {
  const { body } = definition;
  const firstRow = body.startPosition.row;
  const endRow = lastRow(body);
  if (spec.blocks === 'indentation') {
    // The block starts on the line after the signature's colon; a docstring opening it stays.
    const colon = body.previousSibling;
    if (!colon || colon.startPosition.row >= firstRow) return null;
    const first = body.namedChild(0);
    const documented =
      first?.type === 'expression_statement' &&
      (first.namedChild(0)?.type === 'string' || first.namedChild(0)?.type === 'concatenated_string');
    const start = documented && first ? lastRow(first) + 1 : firstRow;
    return endRow - start + 1 >= MIN_ELIDED_LINES
      ? { start, end: endRow, needsStatement: !documented }
      : null;
  }
  // Braces: the lines strictly between `{` and `}`, when nothing else shares the brace lines.
  const count = body.childCount;
  if (count < 3 || body.child(0)?.type !== '{' || body.child(count - 1)?.type !== '}') return null;
  const firstInner = body.child(1);
  const lastInner = body.child(count - 2);
  if (!firstInner || !lastInner) return null;
  if (firstInner.startPosition.row === firstRow || lastRow(lastInner) === endRow) return null;
  const start = firstRow + 1;
  const end = endRow - 1;
  return end - start + 1 >= MIN_ELIDED_LINES ? { start, end, needsStatement: false } : null;
}

function rangeOf(definition: Definition, spec: LanguageSpec): Range | null {
  if (definition.range === undefined) definition.range = elidableRange(definition, spec);
  return definition.range;
}

/** The definitions of a tree as a forest, each holding the definitions nested in it, in source order. */
function definitionsOf(tree: Tree, spec: LanguageSpec, asked: NamesAsked): Definition[] {
  const grammar = grammarFor(spec.name);
  if (!grammar) return [];
  const seen = new Set<number>();
  const all: Definition[] = [];
  for (const match of grammar.definitions.matches(tree.rootNode)) {
    const node = match.captures.find((c) => c.name === 'definition')?.node;
    const body = match.captures.find((c) => c.name === 'body')?.node;
    if (!node || !body || seen.has(node.id)) continue;
    seen.add(node.id);
    const { name, what } = nameAndWhat(node);
    all.push({
      node,
      body,
      startIndex: node.startIndex,
      endIndex: node.endIndex,
      name,
      what,
      wanted: name !== undefined && asked.named(name),
      byPath: false,
      wantedInside: false,
      children: [],
      range: undefined,
    });
  }
  // The function the file is named after stays when the request names none of its functions.
  if (!all.some((definition) => definition.wanted)) {
    for (const definition of all) {
      definition.wanted = definition.name !== undefined && asked.ofPath(definition.name);
      definition.byPath = definition.wanted;
    }
  }
  all.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  const roots: Definition[] = [];
  const open: Definition[] = [];
  for (const definition of all) {
    while (open.length > 0 && (open.at(-1) as Definition).endIndex <= definition.startIndex) open.pop();
    const parent = open.at(-1);
    if (parent && definition.endIndex <= parent.endIndex) parent.children.push(definition);
    else roots.push(definition);
    open.push(definition);
  }
  // Mark, innermost first, the definitions with a wanted one inside.
  for (let i = all.length - 1; i >= 0; i--) {
    const definition = all[i] as Definition;
    definition.wantedInside = definition.children.some((child) => child.wanted || child.wantedInside);
  }
  return roots;
}

// An identifier no prose word could be: a case change inside it, an underscore or a digit after a letter.
const COMPOUND = /[a-z][A-Z]|[A-Za-z]_[A-Za-z]|[A-Za-z]\d/;

function namesIdentifier(definitions: readonly Definition[]): boolean {
  return definitions.some(
    (definition) =>
      (definition.wanted && !definition.byPath && COMPOUND.test(definition.name ?? '')) ||
      (definition.wantedInside && namesIdentifier(definition.children)),
  );
}

/** The definitions kept because the request names them, outermost ones only. */
function wantedOnes(definitions: readonly Definition[]): Definition[] {
  const wanted: Definition[] = [];
  const visit = (definition: Definition) => {
    if (definition.wanted) wanted.push(definition);
    else if (definition.wantedInside) definition.children.forEach(visit);
  };
  definitions.forEach(visit);
  return wanted;
}

/**
 * Named only by a plain word of the request (`request` by "requests", `send`), not by an identifier or the
 * path: kept like a body the request's terms rank first, its lines with those terms whole, not all of it.
 */
function namedInWords(definition: Definition): boolean {
  return !definition.byPath && !COMPOUND.test(definition.name ?? '');
}

/** The text of the definitions kept because the request names them, outermost ones only. */
function namedText(definitions: readonly Definition[], code: readonly string[]): string[] {
  const texts: string[] = [];
  const visit = (definition: Definition) => {
    if (definition.wanted) {
      texts.push(code.slice(definition.node.startPosition.row, lastRow(definition.node) + 1).join('\n'));
    } else if (definition.wantedInside) definition.children.forEach(visit);
  };
  definitions.forEach(visit);
  return texts;
}

function termsNotIn(query: Query, texts: readonly string[]): Query {
  if (texts.length === 0) return query;
  const lowered = texts.map((text) => text.toLowerCase());
  return {
    terms: query.terms.filter(
      (term) => !texts.some((text, i) => containsTerm(text, lowered[i] as string, term)),
    ),
  };
}

/** Mostly nested functions: outline inside rather than elide it whole. */
function isWrapper(definition: Definition, range: Range, spec: LanguageSpec): boolean {
  let nested = 0;
  let rows = 0;
  for (const child of definition.children) {
    const childRange = rangeOf(child, spec);
    if (!childRange) continue;
    nested++;
    rows += childRange.end - childRange.start + 1;
  }
  return nested >= 2 && rows >= (range.end - range.start + 1) * WRAPPER_SHARE;
}

type ElidedBody = Elision & Candidate & { body: Node };

/** A constructor of this many lines or fewer stays whole: it holds the object's fields and their defaults. */
const MAX_CONSTRUCTOR_LINES = 60;
// `__init__`, `constructor`, Rust's `new` and `default`, Go's `NewStore`.
const CONSTRUCTOR_NAME = /^(__init__|constructor|new|default|New[A-Z]\w*)$/;

function isShortConstructor(definition: Definition, range: Range): boolean {
  const named =
    definition.node.type === 'constructor_declaration' || CONSTRUCTOR_NAME.test(definition.name ?? '');
  return named && range.end - range.start + 1 <= MAX_CONSTRUCTOR_LINES;
}

function decide(definition: Definition, spec: LanguageSpec, out: ElidedBody[]): void {
  if (definition.wanted) return;
  const range = definition.wantedInside ? null : rangeOf(definition, spec);
  if (range && isShortConstructor(definition, range)) return;
  if (!range || definition.body.hasError || isWrapper(definition, range, spec)) {
    for (const child of definition.children) decide(child, spec, out);
    return;
  }
  out.push({
    from: definition.node.startPosition.row,
    start: range.start,
    end: range.end,
    what: definition.what,
    name: definition.name,
    needsStatement: range.needsStatement,
    body: definition.body,
  });
}

/** The elisions whose notes sit on or next to a syntax error of the outline. */
function culprits(elisions: readonly Elision[], errors: readonly ErrorSpan[]): Set<Elision> {
  const found = new Set<Elision>();
  let row = 0;
  let next = 0;
  for (const elision of elisions) {
    row += elision.start - next;
    for (const error of errors) if (error.start - 1 <= row && row <= error.end + 1) found.add(elision);
    row++;
    next = elision.end + 1;
  }
  return found;
}

function parse(spec: LanguageSpec, text: string): Tree | undefined {
  return grammarFor(spec.name)?.parser.parse(text) ?? undefined;
}

/**
 * Outline a source with one grammar: the elisions whose notes leave the file parsing as well as it did, or
 * `{ parsed: false }` when it does not parse (no grammar, or errors over too much of it).
 */
function outlineWith(
  source: SourceLines,
  spec: LanguageSpec,
  asked: NamesAsked,
  pointed: ReadonlySet<number>,
): OutlineResult & { errors: number } {
  const text = source.code.join('\n');
  const tree = parse(spec, text);
  if (!tree) return { parsed: false, errors: Number.POSITIVE_INFINITY };
  try {
    const before = syntaxErrors(tree);
    if (tooBroken(before, source.code.length)) return { parsed: false, errors: before.length };
    const bodies: ElidedBody[] = [];
    const roots = definitionsOf(tree, spec, asked);
    for (const root of roots) decide(root, spec, bodies);
    // A request naming a function by its identifier (`parseArgs`, `load_into`) is about that function. One that
    // names none, or only in plain words (`timeout`, `get`), is ranked against the bodies, by the terms the
    // functions it may name do not already hold.
    const relevant = namesIdentifier(roots)
      ? new Set<ElidedBody>()
      : relevantBodies(bodies, source.code, termsNotIn(asked.query, namedText(roots, source.code)));
    // A ranked body keeps the lines the request's terms are on; one an earlier output pointed at stays whole.
    const pointedBodies = bodiesPointedAt(bodies, pointed, source.code.length);
    const wanted = wantedOnes(roots);
    const inWords = wanted.flatMap((definition) => {
      const range = namedInWords(definition) ? rangeOf(definition, spec) : null;
      return range ? [{ from: definition.node.startPosition.row, ...range, body: definition.body }] : [];
    });
    const ranked = [...[...relevant].filter((body) => !pointedBodies.has(body)), ...inWords];
    const keepRows = ranked.map((body) => rowsToKeep(source.code, body.start, body.end, asked.query));
    const inner = ranked.flatMap((body, i) =>
      innerElisions(body.body, source.code, keepRows[i] as Set<number>, spec.blocks === 'indentation'),
    );
    for (const body of pointedBodies) relevant.add(body);
    const elided: Elision[] = bodies
      .filter((body) => !relevant.has(body))
      .map(({ from: _, body: __, ...elision }) => elision);
    const whole = [
      ...wanted
        .filter((definition) => !inWords.some((body) => body.body === definition.body))
        .map((definition) => ({ start: definition.node.startPosition.row, end: lastRow(definition.node) })),
      ...[...pointedBodies].map((body) => ({ start: body.from, end: body.end })),
    ];
    const starts = new Set([...whole, ...ranked.map((body) => ({ start: body.from }))].map((s) => s.start));
    // Comments inside a ranked body go like any other, unless they hold a line it keeps.
    const keptLines = keepRows.flatMap((rows) => [...rows].map((row) => ({ start: row, end: row })));
    const comments = commentElisions(
      tree,
      spec,
      source.code,
      [...elided, ...inner, ...whole, ...keptLines],
      starts,
    );
    const elisions = [...elided, ...inner, ...comments].sort((a, b) => a.start - b.start);
    return {
      parsed: true,
      spec,
      elisions: keepParsing(source, spec, elisions, before.length, tree),
      errors: before.length,
    };
  } finally {
    tree.delete();
  }
}

/** Drop the elisions that make the outline parse worse than the file, or all of them when none can be told. */
function keepParsing(
  source: SourceLines,
  spec: LanguageSpec,
  elisions: Elision[],
  errorsBefore: number,
  tree: Tree,
): Elision[] {
  let current = elisions;
  for (let round = 0; round < REPAIR_ROUNDS && current.length > 0; round++) {
    const outline = reparse(source, spec, current, tree);
    if (!outline) return [];
    const errors = syntaxErrors(outline);
    outline.delete();
    if (errors.length <= errorsBefore) return current;
    const broken = culprits(current, errors);
    if (broken.size === 0) return [];
    current = current.filter((elision) => !broken.has(elision));
  }
  return [];
}

/**
 * The outline's parse, reusing the file's: each elision is told to a copy of the file's tree as an edit (from
 * the last one back, so the earlier ones' coordinates hold), and only what the edits touch is parsed again.
 */
function reparse(source: SourceLines, spec: LanguageSpec, elisions: readonly Elision[], tree: Tree) {
  const code = source.code;
  const lineStart: number[] = new Array(code.length);
  let offset = 0;
  for (let i = 0; i < code.length; i++) {
    lineStart[i] = offset;
    offset += (code[i] as string).length + 1;
  }
  const edited = tree.copy();
  try {
    for (let k = elisions.length - 1; k >= 0; k--) {
      const elision = elisions[k] as Elision;
      const last = code[elision.end] as string;
      const cr = (code[elision.start] as string).endsWith('\r') ? '\r' : '';
      const note = `${noteFor(elision, source, spec.comment)}${cr}`;
      const startIndex = lineStart[elision.start] as number;
      edited.edit(
        new Edit({
          startIndex,
          oldEndIndex: (lineStart[elision.end] as number) + last.length,
          newEndIndex: startIndex + note.length,
          startPosition: { row: elision.start, column: 0 },
          oldEndPosition: { row: elision.end, column: last.length },
          newEndPosition: { row: elision.start, column: note.length },
        }),
      );
    }
    const text = renderElided(source, elisions, spec.comment, 'code').join('\n');
    return grammarFor(spec.name)?.parser.parse(text, edited) ?? undefined;
  } finally {
    edited.delete();
  }
}

/** Outline a source with its language's grammar (and the alternative's, when the first parses worse). */
export function outlineSource(
  source: SourceLines,
  spec: LanguageSpec,
  asked: NamesAsked,
  pointed: ReadonlySet<number>,
  alternative?: LanguageSpec,
): OutlineResult {
  const first = outlineWith(source, spec, asked, pointed);
  if (!alternative || (first.parsed && first.errors === 0)) return first;
  const second = outlineWith(source, alternative, asked, pointed);
  return second.errors < first.errors ? second : first;
}

/** How many ERROR and MISSING nodes a language's grammar finds in a text; undefined before the grammars load. */
export function countSyntaxErrors(language: LanguageName, text: string): number | undefined {
  const tree = grammarFor(language)?.parser.parse(text);
  if (!tree) return undefined;
  try {
    return syntaxErrors(tree).length;
  } finally {
    tree.delete();
  }
}
