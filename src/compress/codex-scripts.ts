// Codex's code mode (the mode of its default model): the model writes a script for the `exec` tool that calls
// the shell tool itself (`await tools.exec_command({cmd: "cat app.log"})`) and prints what it returns
// (`text(r)`). The shell result then comes back as one line of JSON, `{"chunk_id":…,"exit_code":0,…,"output":
// "…"}`, the output escaped inside it and, past Codex's budget, cut in the middle (`…N tokens truncated…`),
// after Codex's warning lines. The proxy compresses the output inside; `headroom learn` reads the command and
// its exit code from the same shapes in Codex's session logs.

const SCRIPT_WARNING = /^(?:Warning: truncated output[^\n]*\nTotal output lines: \d+\n\n)?/;
// The result's other fields, each a string, number or boolean, before its output.
const RESULT_HEAD =
  /^\{(?:"[a-z_]+":(?:"[^"\\\n]*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null),)*"output":"/;
const CUT = /…\d+ tokens truncated…/;

/**
 * A piece of a JSON string's body read as text. Where Codex cut, an escape may be split: the end of the piece
 * before the cut drops a partial one, the piece after it may start with the rest of one.
 */
function unescapePiece(piece: string, after = false): string | undefined {
  const whole = after
    ? piece
    : piece.replace(/\\u[0-9a-fA-F]{0,3}$/, '').replace(/(?<!\\)((?:\\\\)*)\\$/, '$1');
  for (const candidate of after ? [whole, whole.slice(1)] : [whole]) {
    try {
      return JSON.parse(`"${candidate}"`) as string;
    } catch {
      // The piece after a cut may begin inside an escape: try without its first character.
    }
  }
  return undefined;
}

/** A printed shell result, opened: the output as the model reads it, its other fields, and how to close it. */
export interface PrintedResult {
  text: string;
  /** The result's other fields (`exit_code`, `chunk_id`, `wall_time_seconds`…). */
  fields: Record<string, unknown>;
  /** The same line around another output. */
  close(output: string): string;
}

/** The shell result a code-mode script printed, opened; undefined for text that is not one. */
export function openPrintedResult(raw: string): PrintedResult | undefined {
  const warning = SCRIPT_WARNING.exec(raw)?.[0] ?? '';
  const head = RESULT_HEAD.exec(raw.slice(warning.length))?.[0];
  if (!head || !raw.endsWith('"}')) return undefined;
  const body = raw.slice(warning.length + head.length, -2);
  const cut = CUT.exec(body);
  const pieces = cut ? [body.slice(0, cut.index), body.slice(cut.index + cut[0].length)] : [body];
  const decoded = pieces.map((piece, k) => unescapePiece(piece, k > 0));
  if (decoded.some((piece) => piece === undefined)) return undefined;
  let fields: Record<string, unknown> = {};
  try {
    fields = JSON.parse(head.replace(/,?"output":"$/, '}')) as Record<string, unknown>;
  } catch {
    // The head matched field by field, so it parses; an empty record costs only the fields.
  }
  return {
    text: cut ? `${decoded[0]}${cut[0]}${decoded[1]}` : (decoded[0] as string),
    fields,
    close: (output) => `${warning}${head}${JSON.stringify(output).slice(1, -1)}"}`,
  };
}

/** The shell command a code-mode script runs, when it runs exactly one given as a literal; else undefined. */
export function scriptCommand(script: string): string | undefined {
  const calls = script.match(/\btools\.exec_command\s*\(/g);
  if (calls?.length !== 1) return undefined;
  const literal =
    /\btools\.exec_command\s*\(\s*(?:\{\s*["']?cmd["']?\s*:\s*)?("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`$\\]*`)/.exec(
      script,
    )?.[1];
  if (!literal) return undefined;
  if (literal.startsWith('"')) return unescapePiece(literal.slice(1, -1));
  if (literal.startsWith("'"))
    return unescapePiece(literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"'));
  return literal.slice(1, -1);
}
