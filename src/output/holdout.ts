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

// Student's t 0.975 quantiles for 1 to 30 degrees of freedom.
const T975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
  2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614,
  2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];

/** Student's t quantile for a two-sided 95% interval with `df` (Welch's, so maybe fractional) degrees of freedom. */
export function t975(df: number): number {
  if (df <= 1) return T975[0]!;
  if (df <= 30) {
    // Between two tabled values, linear in 1/df, as the quantile nearly is.
    const lo = Math.floor(df);
    const hi = Math.ceil(df);
    if (lo === hi) return T975[lo - 1]!;
    const at = (1 / lo - 1 / df) / (1 / lo - 1 / hi);
    return T975[lo - 1]! + at * (T975[hi - 1]! - T975[lo - 1]!);
  }
  // Past 30, the Cornish-Fisher expansion around the normal quantile is exact to 1e-5.
  const z = 1.959963984540054;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
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
