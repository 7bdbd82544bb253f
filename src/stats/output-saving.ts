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
  const tally = new OutputSavingTally();
  for (const row of rows) tally.add(row);
  return tally.report();
}

interface Arms {
  steered: number[];
  holdout: number[];
}

const noArms = (): Arms => ({ steered: [], holdout: [] });

/** The output-saving comparison taken a row at a time: one number kept per answered turn of an arm. */
export class OutputSavingTally {
  private readonly overall = noArms();
  private readonly byGroup = new Map<string, Arms>();

  add(row: RequestRow): void {
    if (!answered(row)) return;
    const key = `${row.model ?? '(unknown)'}\u0000${row.turnKind ?? 'other'}`;
    let group = this.byGroup.get(key);
    if (!group) {
      group = noArms();
      this.byGroup.set(key, group);
    }
    const tokens = row.outputTokens as number;
    if (row.outputArm === 'steered') {
      this.overall.steered.push(tokens);
      group.steered.push(tokens);
    } else if (row.outputArm === 'holdout') {
      this.overall.holdout.push(tokens);
      group.holdout.push(tokens);
    }
  }

  report(): OutputSavingReport {
    const groups = [...this.byGroup].map(([key, { steered, holdout }]) => {
      const [model, turn] = key.split('\u0000') as [string, string];
      return {
        model,
        turn,
        steeredTurns: steered.length,
        holdoutTurns: holdout.length,
        saving: outputSaving(steered, holdout),
      };
    });
    groups.sort((a, b) => b.steeredTurns + b.holdoutTurns - (a.steeredTurns + a.holdoutTurns));
    return {
      measured: this.overall.holdout.length > 0,
      overall: outputSaving(this.overall.steered, this.overall.holdout),
      steeredTurns: this.overall.steered.length,
      holdoutTurns: this.overall.holdout.length,
      groups,
    };
  }
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
