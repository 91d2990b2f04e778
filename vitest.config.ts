import { defineConfig } from 'vitest/config';

// The project's own tests. The doctor's suites (suites/*.check.ts) are not here: the doctor runs
// them itself through vitest/node with the gathered facts.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'reporters/**/*.test.ts', 'reporters/**/*.test.tsx', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
