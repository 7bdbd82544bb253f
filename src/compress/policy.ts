// Which tool outputs the engine may shorten, and as what. The model edits a file by the exact text it read,
// so what an edit returns, small source and text files, and files the conversation already edited pass
// whole; a read of a log, JSON data, a lockfile or a generated file is compressed as what it holds, and a
// large source file goes to the code transform. Agents declare their own tool names.

import type { Kind, ToolOutput } from './types.js';

/** Why a tool output is or is not the engine's to shorten. */
export type Policy = 'compress' | 'edit-tool' | 'excluded-tool' | 'file-read';

/** Tool names on top of the generic ones, as agent adapters declare them (compared case-insensitively). */
export interface ToolPolicyOptions {
  /** Tools whose output is an edit's result the model will edit against again. */
  editTools?: readonly string[];
  /** Tools that read a file for the model. */
  readTools?: readonly string[];
  /** Tools whose outputs are never compressed, whatever they are. */
  excludeTools?: readonly string[];
}

// Names many agents and tool APIs share (Anthropic's text editor tool, Cline, Cursor, opencode...).
const GENERIC_EDIT_TOOLS = [
  'edit',
  'write',
  'apply_patch',
  'str_replace_editor',
  'str_replace_based_edit_tool',
  'edit_file',
  'write_file',
  'create_file',
  'write_to_file',
];
const GENERIC_READ_TOOLS = ['read', 'read_file', 'view', 'view_file', 'open_file'];

// A shell command that prints a file. One `\s` before the arguments: with `\s+` the two overlapping runs
// backtrack quadratically on a long command.
const FILE_READ_COMMAND = /^\s*(cat|head|tail|nl|bat|less|more|sed\s+-n\s+\S+)\s[^|;&<>]+$/;

const lowerSet = (names: readonly string[]) => new Set(names.map((name) => name.toLowerCase()));

/** Decides, per tool output, whether the engine may shorten it. */
export class ToolPolicy {
  private readonly edit: ReadonlySet<string>;
  private readonly read: ReadonlySet<string>;
  private readonly excluded: ReadonlySet<string>;

  constructor(private readonly options: ToolPolicyOptions = {}) {
    this.edit = lowerSet([...GENERIC_EDIT_TOOLS, ...(options.editTools ?? [])]);
    this.read = lowerSet([...GENERIC_READ_TOOLS, ...(options.readTools ?? [])]);
    this.excluded = lowerSet(options.excludeTools ?? []);
  }

  /** The same policy with `excludeTools` replaced (a request's own exclusions). */
  excluding(excludeTools: readonly string[]): ToolPolicy {
    return new ToolPolicy({ ...this.options, excludeTools });
  }

  decide(output: Pick<ToolOutput, 'toolName' | 'toolArgs'>): Policy {
    const name = (output.toolName ?? '').toLowerCase();
    if (this.excluded.has(name)) return 'excluded-tool';
    // Anthropic's text editor tool reads files too: its `view` command is a read, the rest are edits.
    if (this.edit.has(name))
      return parseArgs(output.toolArgs)?.command === 'view' ? 'file-read' : 'edit-tool';
    if (this.read.has(name)) return 'file-read';
    const command = shellCommand(output.toolArgs);
    if (command !== undefined && FILE_READ_COMMAND.test(command)) return 'file-read';
    return 'compress';
  }
}

function parseArgs(args: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    // Arguments that are not JSON name no command and no file.
    return undefined;
  }
}

/** The command a shell tool call ran, from its JSON arguments. */
export function shellCommand(args: string): string | undefined {
  const parsed = parseArgs(args);
  const command = parsed?.command ?? parsed?.cmd;
  if (typeof command === 'string') return command;
  if (Array.isArray(command)) return String(command[command.length - 1] ?? '');
  return undefined;
}

const PATH_ARGUMENTS = ['file_path', 'path', 'filename', 'file', 'absolute_path', 'target_file'];

/** The file a call names: a path argument, or the file a `cat`/`head`/`sed -n` command prints. */
export function pathHint(args: string): string | undefined {
  const parsed = parseArgs(args);
  for (const key of PATH_ARGUMENTS) {
    const value = parsed?.[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  const command = shellCommand(args);
  if (command === undefined || !FILE_READ_COMMAND.test(command)) return undefined;
  return command.trim().split(/\s+/).at(-1);
}

/** The text values of a call's arguments: part of the block's relevance query. */
export function argumentText(args: string): string {
  try {
    const values: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === 'string') values.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
    };
    walk(JSON.parse(args));
    return values.join(' ');
  } catch {
    return args;
  }
}

// The envelope of an `apply_patch` patch, wherever the call carries it: Codex's code mode applies patches from
// inside the scripts its `exec` tool runs, so the call's tool is not an editing tool.
const PATCH = /\*\*\* Begin Patch/;

/** The files a call edited: an editing tool's, or those a patch anywhere in its arguments names. */
export function editsOf(decision: Policy, args: string): string[] {
  if (decision === 'edit-tool') return editedPaths(args);
  return PATCH.test(args) ? patchedPaths(args) : [];
}

/** Every file a patch names (a patch's lines end at a newline, escaped or not, or at its string's quote). */
function patchedPaths(args: string): string[] {
  const paths: string[] = [];
  for (const m of args.matchAll(/\*\*\* (?:Update|Add|Delete) File: ([^\\\n"'`]+)/g))
    paths.push(m[1]!.trim());
  return paths.map(normalisedPath);
}

/** The files an edit wrote: its path argument, and every file an `apply_patch` patch names. */
export function editedPaths(args: string): string[] {
  const path = pathHint(args);
  return [...(path ? [normalisedPath(path)] : []), ...patchedPaths(args)];
}

/** A path as compared between calls: no leading `./`. */
export function normalisedPath(path: string): string {
  return path.replace(/^(\.\/)+/, '');
}

// Files whose content is data, not something the model edits by exact text: compressed as what they hold.
const DATA_FILE =
  /(\.(log|out|err|csv|tsv|jsonl|ndjson|har|map|snap)|\.min\.(js|css)|(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|Pipfile\.lock|Gemfile\.lock|composer\.lock|go\.sum|bun\.lock))$/i;
const SOURCE_FILE =
  /\.(py|pyi|js|mjs|cjs|jsx|ts|mts|cts|tsx|go|rs|java|kt|kts|scala|c|h|cc|cpp|cxx|hh|hpp|hxx|cs|rb|php|swift|m|mm|lua|sh|bash|zsh|pl|r|dart|ex|exs|erl|hs|ml|vue|svelte)$/i;

/** When a source read counts as large enough for the code transform. */
export interface CodeReadThreshold {
  minLines: number;
  minTokens: number;
}

/** What a file read is treated as: a kind to compress it as, or the reason it passes whole. */
export type ReadDecision = { kind: Kind } | { skipped: 'file-read' | 'edited-file' };

/**
 * Decide a file read by what it holds. `kind` is the detected kind of its text; `lines` and `tokens` its
 * size; `edited` the files earlier calls of the conversation edited (so the decision depends only on
 * earlier messages, and a resent conversation decides alike).
 */
export function decideRead(
  path: string | undefined,
  kind: Kind,
  size: { lines: number; tokens: number },
  edited: ReadonlySet<string>,
  threshold: CodeReadThreshold,
): ReadDecision {
  if (path && edited.has(normalisedPath(path))) return { skipped: 'edited-file' };
  const large = size.lines > threshold.minLines || size.tokens > threshold.minTokens;
  if (path && DATA_FILE.test(path)) return { kind };
  if (path && SOURCE_FILE.test(path)) return large ? { kind: 'code' } : { skipped: 'file-read' };
  switch (kind) {
    case 'logs':
    case 'diff':
    case 'search':
      return { kind };
    // A small JSON file is configuration the model may edit; a large one is data.
    case 'json':
    case 'code':
      return large ? { kind } : { skipped: 'file-read' };
    default:
      // Prose and configuration (READMEs, YAML, TOML) are edited by exact text.
      return { skipped: 'file-read' };
  }
}
