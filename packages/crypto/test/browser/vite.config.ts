// Builds the crypto test/benchmark page (index.html) into a temporary folder:
// `build({ configFile: <this file>, build: { outDir } })`. Nothing here is shipped.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  publicDir: false,
  build: { emptyOutDir: true, sourcemap: false, target: 'es2022', reportCompressedSize: false },
  worker: { format: 'es' },
});
