// Edits of agents' config files that change one entry and nothing else: JSON (with comments) through
// jsonc-parser's edits, which keep the file's comments, order and indentation; TOML through toml_edit
// (the library Codex itself writes its config with), which keeps comments and layout. A file that does not
// parse is refused with the parser's reason, never rewritten.

import init, { edit as editToml } from '@rainbowatcher/toml-edit-js';
import { applyEdits, modify, type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { isObject, type JsonObject } from '../../agents/config-files.js';
import { HeadroomError } from '../../errors.js';

/** A config file headroom will not touch, and why. */
export class UnreadableConfig extends HeadroomError {
  override name = 'UnreadableConfig';
}

/** A config file's text as data, and edits of one entry of it. */
export interface ConfigDialect {
  /** The file's contents as an object ({} for an empty file); refuses a file that does not parse. */
  read(text: string, file: string): Promise<JsonObject>;
  /** The text with `value` at `path` (undefined removes it), everything else as it was. */
  set(text: string, path: readonly string[], value: unknown): Promise<string>;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** The indentation the file already uses, so added lines look like the rest. */
function indentationOf(text: string): { insertSpaces: boolean; tabSize: number } {
  const indented = /\n([ \t]+)\S/.exec(text)?.[1];
  if (indented?.startsWith('\t')) return { insertSpaces: false, tabSize: 1 };
  return { insertSpaces: true, tabSize: indented ? indented.length : 2 };
}

export const JSON_DIALECT: ConfigDialect = {
  async read(text, file) {
    if (text.trim() === '') return {};
    const errors: ParseError[] = [];
    const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
    const [error] = errors;
    if (error) {
      throw new UnreadableConfig(
        `cannot read ${file}: ${printParseErrorCode(error.error)} at ${lineAndColumn(text, error.offset)}; fix it or move it aside, nothing was changed`,
      );
    }
    if (!isObject(value)) throw new UnreadableConfig(`cannot read ${file}: it does not hold a JSON object`);
    return value;
  },
  async set(text, path, value) {
    const base = text.trim() === '' ? '{}\n' : text;
    const eol = base.includes('\r\n') ? '\r\n' : '\n';
    const edits = modify(base, [...path], value, { formattingOptions: { ...indentationOf(base), eol } });
    return applyEdits(base, edits);
  },
};

let tomlReady: Promise<unknown> | undefined;

export const TOML_DIALECT: ConfigDialect = {
  async read(text, file) {
    try {
      return parseToml(text) as JsonObject;
    } catch (error) {
      const reason = String((error as Error).message).split('\n')[0];
      throw new UnreadableConfig(
        `cannot read ${file}: ${reason}; fix it or move it aside, nothing was changed`,
      );
    }
  },
  async set(text, path, value) {
    tomlReady ??= init();
    await tomlReady;
    // A table of its own ([mcp_servers.headroom]), as users and `codex mcp add` write them.
    return editToml(text, path.join('.'), value, { inline: false });
  },
};
