// Long command outputs as agents hand them to the model, cut by the agents' own caps, built by the session
// models in scripts/sessions/ (checked against the pinned agents): Claude Code's Bash tool keeps the first
// 30,000 characters and appends `... [N lines truncated] ...`; Codex's exec_command keeps the first and last
// 20,000 bytes around `…N tokens truncated…`, under a header the Responses format opens before the engine.

import { fileURLToPath } from 'node:url';

// Loaded by a path the type checker does not follow: the session models are plain, untyped scripts.
const sessions = (name: string) => fileURLToPath(new URL(`../../scripts/sessions/${name}`, import.meta.url));
const { bashResult } = (await import(sessions('claude-code.js'))) as {
  bashResult: (output: string) => string;
};
const { execResult } = (await import(sessions('codex.js'))) as {
  execResult: (output: string, options: { seed: string }) => string;
};

/** A command's output as Claude Code's Bash tool returns it. */
export function claudeCodeBash(output: string): string {
  return bashResult(output);
}

/**
 * Claude Code's cut made at `at` characters rather than at its 30,000, so a test can put the cut at any place
 * of a document: `claudeCodeCutAt(output, 30_000)` is `claudeCodeBash(output)` for an output that ends
 * with no blank lines or spaces.
 */
export function claudeCodeCutAt(output: string, at: number): string {
  return `${output.slice(0, at)}\n\n... [${output.slice(at).split('\n').length} lines truncated] ...`;
}

/** A command's output as Codex's exec_command returns it, header included. */
export function codexExec(output: string): string {
  return execResult(output, { seed: 'agent-cuts' });
}

/** What the engine is given of a Codex exec_command result: the output after the header. */
export function codexOutput(output: string): string {
  const result = codexExec(output);
  const body = result.slice(result.indexOf('\nOutput:\n') + '\nOutput:\n'.length);
  // A cut output's header goes on with a warning and the line count, then a blank line.
  return body.startsWith('Warning: truncated output') ? body.slice(body.indexOf('\n\n') + 2) : body;
}
