import { describe, expect, it } from 'vitest';
import { requestRow } from '../../test/helpers/stats-rows.js';
import { compressionFeedback } from './feedback.js';

const turns = (count: number, transforms: Record<string, number>, retrievals: number) =>
  Array.from({ length: count }, () => requestRow({ transforms, retrievals }));

describe('compression feedback from headroom’s stats', () => {
  it('suggests switching off a transform whose outputs the model kept asking back for', () => {
    const rows = [...turns(4, { logs: 1 }, 1), ...turns(6, { logs: 2 }, 0), ...turns(10, { json: 1 }, 0)];
    expect(compressionFeedback(rows, 300)).toEqual([
      {
        transform: 'logs',
        requests: 10,
        retrieved: 4,
        setting: 'disableTransforms',
        command: 'headroom config set disableTransforms logs',
        text: 'the model asked for the original after logs compression in 4 of 10 requests: consider switching it off',
      },
    ]);
  });

  it('says nothing when retrievals are rare, or come from side calls', () => {
    const rare = [...turns(2, { logs: 1 }, 1), ...turns(20, { logs: 1 }, 0)];
    expect(compressionFeedback(rare, 300)).toEqual([]);
    const side = Array.from({ length: 5 }, () =>
      requestRow({ transforms: { paths: 1 }, retrievals: 1, sideCall: 'claude-code-bash-paths' }),
    );
    expect(compressionFeedback(side, 300)).toEqual([]);
  });

  it('suggests compressing only larger outputs when retrievals spread over transforms it cannot switch off', () => {
    const rows = [...turns(3, { 'agent-cut': 1 }, 1), ...turns(3, { 'agent-cut': 1 }, 0)];
    const [suggestion] = compressionFeedback(rows, 300);
    expect(suggestion).toMatchObject({
      setting: 'minTokens',
      command: 'headroom config set minTokens 600',
      retrieved: 3,
      requests: 6,
    });
  });
});
