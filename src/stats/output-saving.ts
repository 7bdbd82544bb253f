// What verbosity steering saved in output tokens, measured against the holdout: output tokens per answered
// agent turn in each arm, overall and by model and turn kind. Without held-out turns it is not measured.

import { type OutputSaving, outputSaving } from '../output/holdout.js';
import type { RequestRow } from '../store/types.js';
import { formatCount, formatShare } from './format.js';

export interface OutputSavingGroup {
  model: string;
  turn: string;
  steeredTurns: number;
  holdoutTurns: number;
  saving?: OutputSaving;
}

export interface OutputSavingReport {
  /** False while no held-out turn was recorded: the saving cannot be told. */
  measured: boolean;
  overall?: OutputSaving;
  steeredTurns: number;
  holdoutTurns: number;
  groups: OutputSavingGroup[];
}

const answered = (row: RequestRow) =>
  row.outputArm !== null && row.outputTokens !== null && row.status >= 200 && row.status < 300;

/** The arms' output tokens per turn, compared. */
export function outputSavings(rows: readonly RequestRow[]): OutputSavingReport {
  const turns = rows.filter(answered);
  const arm = (list: readonly RequestRow[], which: string) =>
    list.filter((row) => row.outputArm === which).map((row) => row.outputTokens as number);
  const steered = arm(turns, 'steered');
  const holdout = arm(turns, 'holdout');
  const byGroup = new Map<string, RequestRow[]>();
  for (const row of turns) {
    const key = `${row.model ?? '(unknown)'}\u0000${row.turnKind ?? 'other'}`;
    const group = byGroup.get(key) ?? [];
    group.push(row);
    byGroup.set(key, group);
  }
  const groups = [...byGroup].map(([key, list]) => {
    const [model, turn] = key.split('\u0000') as [string, string];
    const s = arm(list, 'steered');
    const h = arm(list, 'holdout');
    return { model, turn, steeredTurns: s.length, holdoutTurns: h.length, saving: outputSaving(s, h) };
  });
  groups.sort((a, b) => b.steeredTurns + b.holdoutTurns - (a.steeredTurns + a.holdoutTurns));
  return {
    measured: holdout.length > 0,
    overall: outputSaving(steered, holdout),
    steeredTurns: steered.length,
    holdoutTurns: holdout.length,
    groups,
  };
}

/** One line on the saving: the estimate and its interval, or why there is none. */
export function describeOutputSaving(report: OutputSavingReport): string {
  if (!report.measured) return 'not measured (set HEADROOM_OUTPUT_HOLDOUT, e.g. 0.1, to hold out a share)';
  const s = report.overall;
  if (!s) return `not enough turns yet (${report.steeredTurns} steered, ${report.holdoutTurns} held out)`;
  return (
    `${formatShare(s.share)} (95% CI ${formatShare(s.shareLow)} to ${formatShare(s.shareHigh)}), ` +
    `${formatCount(Math.round(s.perTurn))} tokens/turn; ${report.steeredTurns} steered vs ${report.holdoutTurns} held-out turns`
  );
}
