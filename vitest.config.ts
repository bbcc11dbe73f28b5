import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Each file gets its own database cloned from a migrated template (see test/helpers/db.ts).
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 20000,
    hookTimeout: 60000,
    reporters: ['default'],
  },
});
