// Near-duplicates: the changed lines between an output and an earlier one, or nothing when they share little.

import { describe, expect, it } from 'vitest';
import { realOutput } from '../../test/helpers/real-outputs.js';
import { lineDelta } from './near-duplicate.js';

const log = realOutput('log-express-debug');

describe('lineDelta', () => {
  it('lists a changed timing line as one hunk and gives up on outputs that share little', () => {
    const run = (ms: number) =>
      [...Array.from({ length: 30 }, (_, i) => `ok ${i + 1} - test ${i + 1}`), `# time=${ms}ms`].join('\n');
    expect(lineDelta(run(120), run(95))).toBe('@@ -31,1 +31,1 @@\n-# time=120ms\n+# time=95ms');
    expect(lineDelta(log.text, realOutput('log-npm-ci-offline').text)).toBeUndefined();
    expect(lineDelta(run(1), run(1))).toBeUndefined();
  });
});
