// Repeats within a conversation: an output identical to an earlier one becomes a reference to that call;
// one that differs in a few lines (a test re-run, a status polled again) becomes those lines plus a reference.
// Both point backwards only, so earlier turns keep their bytes when the conversation grows.

import { createHash } from 'node:crypto';
import { formatMarker, originalId } from './marker.js';
import type { Memo } from './memo.js';
import { lineDelta } from './near-duplicate.js';
import type { ToolOutput } from './types.js';

const NEAR_DUPLICATE_CANDIDATES = 8;

/** Text compared for dedup: trailing spaces and surrounding blank lines do not make outputs differ. */
export function dedupKey(text: string): string {
  return createHash('sha256')
    .update(text.replace(/[ \t]+$/gm, '').trim())
    .digest('hex');
}

function earlierCall(earlier: ToolOutput): string {
  const from = earlier.toolName ? `${earlier.toolName} output` : 'tool output';
  return `${from} of call ${earlier.callId ?? '(unnamed)'} earlier in this conversation`;
}

interface Earlier {
  output: ToolOutput;
  key: string;
}

/** The outputs of one request seen so far, for spotting repeats of them further on. */
export class Repeats {
  private readonly seen = new Map<string, ToolOutput>();
  private readonly earlier: Earlier[] = [];

  /** @param deltas the engine's memo of compared pairs: every turn resends the conversation. */
  constructor(private readonly deltas: Memo<string | null>) {}

  /** The earlier output with the same dedup key, if any; the first with a key is remembered. */
  firstWith(key: string, output: ToolOutput): ToolOutput | undefined {
    const earlier = this.seen.get(key);
    if (!earlier) this.seen.set(key, output);
    return earlier;
  }

  /** Candidates for near-duplicates from here on. */
  remember(output: ToolOutput, key: string): void {
    this.earlier.push({ output, key });
  }

  /** The reference that stands for a repeat of an earlier output. */
  reference(output: ToolOutput, earlier: ToolOutput): string {
    return formatMarker(`same as the ${earlierCall(earlier)}`, originalId(output.text));
  }

  /** The changed lines against a recent earlier output, with the marker of the full original; or undefined. */
  nearDuplicate(output: ToolOutput, key: string): string | undefined {
    const { earlier } = this;
    for (let k = earlier.length - 1; k >= Math.max(0, earlier.length - NEAR_DUPLICATE_CANDIDATES); k--) {
      const before = earlier[k] as Earlier;
      const delta = this.delta(before, output.text, key);
      if (delta === undefined) continue;
      const marker = formatMarker(
        `same as the ${earlierCall(before.output)} except the lines above`,
        originalId(output.text),
      );
      return `${delta}\n${marker}`;
    }
    return undefined;
  }

  private delta(before: Earlier, later: string, laterKey: string): string | undefined {
    const pair = `${before.key}:${laterKey}`;
    let delta = this.deltas.get(pair);
    if (delta === undefined) delta = this.deltas.set(pair, lineDelta(before.output.text, later) ?? null);
    return delta ?? undefined;
  }
}
