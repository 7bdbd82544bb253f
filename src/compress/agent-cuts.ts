// The notices agents leave where their own output cap cut a command's output, so a transform can read the
// part before the cut (and the part after, when the agent kept both ends) and keep the notice as it was.

/** An output an agent cut: what it kept before its notice, the notice itself, and what it kept after. */
export interface AgentCut {
  head: string;
  /** The agent's own words, verbatim (`... [312 lines truncated] ...`, `…6180 tokens truncated…`). */
  notice: string;
  /** The end of the output, when the agent kept both ends (Codex); undefined when it kept the start only. */
  tail: string | undefined;
}

// Claude Code's Bash tool keeps the first 30,000 characters and appends this line after a blank line.
const HEAD_ONLY = /\n\n(\.\.\. \[\d+ lines? truncated\] \.\.\.)\s*$/;
// Codex keeps the first and last 20,000 bytes of a long output and joins them with this.
const HEAD_AND_TAIL = /…\d+ tokens truncated…/;

/** The agent's cut in `text`, or undefined when no agent notice is where an agent puts one. */
export function agentCut(text: string): AgentCut | undefined {
  // Looked for only where each agent writes it, so a long output without one costs next to nothing.
  const last = Math.max(0, text.length - 80);
  const headOnly = HEAD_ONLY.exec(text.slice(last));
  if (headOnly)
    return { head: text.slice(0, last + headOnly.index), notice: headOnly[1] as string, tail: undefined };
  const near = text.indexOf(' tokens truncated…');
  const from = Math.max(0, near - 24);
  const headAndTail = near === -1 ? null : HEAD_AND_TAIL.exec(text.slice(from, near + 18));
  if (!headAndTail) return undefined;
  const at = from + headAndTail.index;
  return { head: text.slice(0, at), notice: headAndTail[0], tail: text.slice(at + headAndTail[0].length) };
}
