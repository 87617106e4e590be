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
          // Its stacks (apps/cli/test/helpers/stack.ts) run while the CLI project's do:
          // its own port range, so the two never race for one port.
          env: { CLI_TEST_PORT_BASE: process.env.TRANSFER_TEST_PORT_BASE ?? '8870' },
        },
      },
      {
        // The web adapter's pure functions (no DOM: wording, limits, journal matching).
        test: {
          name: 'web',
          root: 'apps/web',
          include: ['test/**/*.test.ts'],
          environment: 'node',
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
