// Which tool outputs the engine may shorten. The model edits a file by the exact text it read, so the
// outputs of editing tools and file reads pass whole, whatever they hold; agents declare their own tool names.

import type { ToolOutput } from './types.js';

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
    if (this.edit.has(name)) return 'edit-tool';
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
