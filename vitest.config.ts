import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'src/**/*.test.ts', 'src/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The second reporter fails a run that skipped tests when HEADROOM_NO_SKIPS=1 (CI sets it).
    reporters: ['default', './test/reporters/no-skips.ts'],
  },
});
