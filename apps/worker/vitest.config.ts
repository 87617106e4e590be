// Worker tests run inside workerd with real local D1 and R2 (no mocks).
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(import.meta.dirname, '../../wrangler.toml') },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Random values (lib/secrets.ts refuses low-entropy secrets).
            ADMIN_TOKEN: 'test-admin-2aHmI9F0lD_CX1CFqtZl6ZjXislF6EsE85gJPexsxHA',
            SERVER_SECRET: 'test-secret-vyM2iPLTPuMLf8MkgjXf5M1AtFoPn9-1_X3dYpJSxkc',
            UPLOAD_POLICY: 'open',
            // The smallest part size R2 multipart accepts, so multi-part files stay small in tests.
            PART_BYTES: '5242880',
            // Requests without CF-Connecting-IP come from 127.0.0.1 (as under wrangler dev).
            LOCAL: '1',
            // The tests play many client addresses with CF-Connecting-IP, as the platform would set it.
            TRUST_CLIENT_IP: '1',
          },
        },
      }),
    ],
    test: {
      root: import.meta.dirname,
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/apply-migrations.ts'],
      // A loopback webhook receiver in Node (test/receiver-setup.ts).
      globalSetup: ['./test/receiver-setup.ts'],
      testTimeout: 60_000,
    },
  };
});
