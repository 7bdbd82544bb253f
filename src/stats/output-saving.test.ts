// The output saving as `headroom stats` and `headroom perf --live` show it: measured only against held-out
// turns, overall and by model and turn kind, with the interval the arms give.

import { describe, expect, it } from 'vitest';
import { requestRow } from '../../test/helpers/stats-rows.js';
import { outputSaving } from '../output/holdout.js';
import { describeOutputSaving, outputSavings } from './output-saving.js';

const turn = (arm: 'steered' | 'holdout', outputTokens: number, over = {}) =>
  requestRow({
    outputArm: arm,
    outputTokens,
    turnKind: 'continuation',
    verbosity: arm === 'steered' ? '2' : 'off',
    ...over,
  });

describe('the output saving', () => {
  it('is not measured without a holdout', () => {
    const report = outputSavings([turn('steered', 300), turn('steered', 320)]);
    expect(report.measured).toBe(false);
    expect(describeOutputSaving(report)).toMatch(/^not measured \(set HEADROOM_OUTPUT_HOLDOUT/);
  });

  it('compares the arms overall and by model and turn kind', () => {
    const rows = [
      ...[100, 120, 140, 160].map((n) => turn('steered', n)),
      ...[200, 240, 280].map((n) => turn('holdout', n)),
      turn('steered', 50, { model: 'gpt-5', turnKind: 'user' }),
      // Failed or unsteered requests count in neither arm.
      requestRow({ outputArm: 'holdout', outputTokens: 9999, status: 500 }),
      requestRow({ outputTokens: 9999 }),
    ];
    const report = outputSavings(rows);
    expect(report.measured).toBe(true);
    expect(report.steeredTurns).toBe(5);
    expect(report.holdoutTurns).toBe(3);
    expect(report.overall).toEqual(outputSaving([100, 120, 140, 160, 50], [200, 240, 280]));
    const sonnet = report.groups.find((g) => g.model === 'claude-sonnet-4-5' && g.turn === 'continuation')!;
    expect(sonnet.saving?.perTurn).toBe(240 - 130);
    expect(report.groups.find((g) => g.model === 'gpt-5')?.saving).toBeUndefined();
    expect(describeOutputSaving(report)).toMatch(
      /^\d+% \(95% CI -?\d+% to \d+%\), \d+ tokens\/turn; 5 steered vs 3 held-out turns$/,
    );
  });
});
