// Source files: an outline from the tree-sitter parse (imports, types, signatures with their docs, constants,
// short bodies and the whole bodies of the functions the reader asks about), each other body a one-line
// comment naming its lines. Numbered reads keep their numbers; what does not parse goes by indentation.
// Kept lines are the original ones, byte for byte, so the file's own line numbers stay true.

import { looksLikeCode } from '../detect.js';
import { splitLines } from '../lines.js';
import { numberedLines, type SourceLines, sourceLines } from '../numbered.js';
import { shellCommand } from '../policy.js';
import type { Sample, Transform, TransformContext } from '../types.js';
import {
  droppedLines,
  type Elision,
  type ReadBack,
  readToolBack,
  renderElided,
  worthEliding,
} from './code-elisions.js';
import { indentationElisions } from './code-fallback.js';
import { GrammarsPending, grammarState, loadGrammars } from './code-grammars.js';
import { withHints } from './code-hints.js';
import { recogniseLanguage } from './code-languages.js';
import { type NamesAsked, namesAskedFor } from './code-names.js';
import { outlineSource } from './code-outline.js';

/** Past this many characters a file goes by indentation: parsing it would take longer than it is worth. */
export const MAX_PARSED_CHARS = 2_000_000;

interface Plan {
  elisions: Elision[];
  comment: string;
  how: string;
}

/** The rows (0-based indexes into the source's lines) of the file lines earlier outputs pointed at. */
function pointedRows(source: SourceLines, lines: readonly number[] | undefined): Set<number> {
  const rows = new Set<number>();
  if (!lines || lines.length === 0) return rows;
  const wanted = new Set(lines);
  source.numbers.forEach((number, row) => {
    if (wanted.has(number)) rows.add(row);
  });
  return rows;
}

function planFor(
  source: SourceLines,
  text: string,
  asked: NamesAsked,
  pointed: ReadonlySet<number>,
  ctx: TransformContext,
): Plan | undefined {
  const language = recogniseLanguage(ctx.pathHint, source.code);
  if (language.kind === 'grammar' && text.length <= MAX_PARSED_CHARS) {
    // A grammar not loaded yet stops the block rather than letting it go by indentation now and by its
    // outline once loaded: the same text never gets two shortenings. It goes whole, or, when the engine
    // loads grammars as files need them, it is done again once this one has loaded.
    const pending = [language.spec, language.alternative].flatMap((spec) =>
      spec && grammarState(spec.name) === 'absent' ? [spec.name] : [],
    );
    if (pending.length > 0) {
      if (ctx.settings?.grammars === 'lazy') throw new GrammarsPending(pending);
      return undefined;
    }
    const outline = outlineSource(source, language.spec, asked, pointed, language.alternative);
    if (outline.parsed) {
      const how = `${outline.spec.name} outline`;
      return { elisions: outline.elisions, comment: outline.spec.comment, how };
    }
  }
  const comment = language.kind === 'grammar' ? language.spec.comment : language.comment;
  return { elisions: indentationElisions(source.code, asked), comment, how: 'by indentation' };
}

/** A file printed by a shell command is read back by one, `sed -n` of the range; else by the read tool. */
function readBackFor(ctx: TransformContext): ReadBack {
  const path = ctx.pathHint;
  if (ctx.toolArgs === undefined) return readToolBack;
  // Code a call printed without reading a file (`git show`, a fetched page): no file holds these lines.
  if (!path) return () => 'headroom_retrieve with a query for its words';
  return shellCommand(ctx.toolArgs) === undefined
    ? readToolBack
    : (first, last) => `sed -n '${first},${last}p' ${path}`;
}

/** The sample with the numbers of a numbered read taken off, as the code detector should see it. */
function withoutNumbers(sample: Sample): Sample {
  const numbered = numberedLines(sample.lines);
  return numbered ? { text: sample.text, lines: numbered.code.filter((l) => l.trim() !== '') } : sample;
}

export const code: Transform = {
  name: 'code',
  kinds: ['code'],
  detect: (sample) => looksLikeCode(withoutNumbers(sample)),
  // Every grammar up front, unless the engine loads each when a file first needs it (`GrammarsPending`).
  init: (settings) => (settings?.grammars === 'lazy' ? Promise.resolve() : loadGrammars()),
  compress(text, ctx) {
    const source = sourceLines(splitLines(text), ctx.toolArgs);
    const asked = namesAskedFor(ctx);
    const pointed = pointedRows(source, ctx.pointed);
    const plan = planFor(source, text, asked, pointed, ctx);
    const readBack = readBackFor(ctx);
    const worth = plan?.elisions.filter((e) => worthEliding(e, source, plan.comment, readBack)) ?? [];
    if (!plan || worth.length === 0) return undefined;
    const elisions = withHints(worth, source.code, asked.query, pointed);
    const out = renderElided(source, elisions, plan.comment, 'shown', readBack).join('\n');
    if (out.length >= text.length) return undefined;
    const dropped = droppedLines(elisions);
    const what = elisions.some((e) => e.what) ? `${elisions.length} bodies` : `${elisions.length} runs`;
    return {
      text: out,
      summary: `${dropped} of ${source.code.length} lines elided in ${what} (${plan.how})`,
    };
  },
};
