// With HEADROOM_NO_SKIPS=1 a run that skipped any test fails and names each one, so CI, which has every
// tool and the shared corpus, cannot pass by quietly running less than the whole suite.

import type { Reporter, TestModule } from 'vitest/node';

export default class NoSkipsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env.HEADROOM_NO_SKIPS !== '1') return;
    const skipped = testModules.flatMap((module) => [...module.children.allTests('skipped')]);
    if (skipped.length === 0) return;
    const names = skipped.map(
      (test) => `  ${test.module.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}`,
    );
    process.stderr.write(
      `\nheadroom: ${skipped.length} test(s) skipped with HEADROOM_NO_SKIPS=1 (every test must run here):\n${names.join('\n')}\n`,
    );
    process.exitCode = 1;
  }
}
