// Counterfactual accounting of output savings: a fixed share of conversations, picked by a hash of their id,
// is left unsteered, and output tokens per turn are compared between the arms. The figure is an estimate with
// a 95% interval (Welch's, on the difference of means); with no holdout it is not measured.

import { createHash } from 'node:crypto';

export type Arm = 'steered' | 'holdout';

/** Where `conversation` falls in [0, 1): the same id always falls in the same place. */
export function holdoutPosition(conversation: string): number {
  return createHash('sha256').update(conversation).digest().readUInt32BE(0) / 2 ** 32;
}

/** The arm of `conversation` when a `share` of conversations is held out. */
export function armOf(conversation: string, share: number): Arm {
  return share > 0 && holdoutPosition(conversation) < share ? 'holdout' : 'steered';
}

/** What the arms' output tokens per turn say about the saving. */
export interface OutputSaving {
  steered: { turns: number; mean: number };
  holdout: { turns: number; mean: number };
  /** Output tokens per turn saved (holdout mean − steered mean), with its 95% interval. */
  perTurn: number;
  low: number;
  high: number;
  /** The saving as a share of the holdout's mean, with its interval (same bounds, divided). */
  share: number;
  shareLow: number;
  shareHigh: number;
}

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, variance };
}

/** Student's t quantile for a two-sided 95% interval with `df` degrees of freedom. */
export function t975(df: number): number {
  // Cornish-Fisher expansion of the t quantile around the normal's 1.959964: within 1e-3 from df = 3 up.
  const z = 1.959963984540054;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  const g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/**
 * The saving the arms show, or undefined when either arm has fewer than two turns (no interval can be said).
 * Welch's interval: the arms may differ in size and spread.
 */
export function outputSaving(
  steered: readonly number[],
  holdout: readonly number[],
): OutputSaving | undefined {
  if (steered.length < 2 || holdout.length < 2) return undefined;
  const s = meanAndVariance(steered);
  const h = meanAndVariance(holdout);
  const vs = s.variance / steered.length;
  const vh = h.variance / holdout.length;
  const se = Math.sqrt(vs + vh);
  const df =
    se === 0
      ? Number.POSITIVE_INFINITY
      : (vs + vh) ** 2 / (vs ** 2 / (steered.length - 1) + vh ** 2 / (holdout.length - 1));
  const margin = (Number.isFinite(df) ? t975(df) : 1.959963984540054) * se;
  const perTurn = h.mean - s.mean;
  const base = h.mean > 0 ? h.mean : Number.NaN;
  return {
    steered: { turns: steered.length, mean: s.mean },
    holdout: { turns: holdout.length, mean: h.mean },
    perTurn,
    low: perTurn - margin,
    high: perTurn + margin,
    share: perTurn / base,
    shareLow: (perTurn - margin) / base,
    shareHigh: (perTurn + margin) / base,
  };
}
