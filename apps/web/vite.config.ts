import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  worker: { format: 'es' },
  server: { proxy: { '/api': `http://127.0.0.1:${process.env.PORT ?? 8787}` } },
});
