// Node-side unit tests: the protocol library and the CLI. The worker has its own
// config (apps/worker/vitest.config.ts) because it runs inside workerd.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'crypto',
          root: 'packages/crypto',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'transfer',
          root: 'packages/transfer',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'cli',
          root: 'apps/cli',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
