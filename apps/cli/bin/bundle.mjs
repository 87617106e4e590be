// The esbuild options that make the CLI one ESM file: shared by the launcher's
// cached build (bin/sealdrop.mjs) and the release artifact (npm run build:cli).
import path from 'node:path';

/** @param {string} root the repository root; @param {string} outfile; @param {string} version */
export function cliBundleOptions(root, outfile, version) {
  return {
    absWorkingDir: root, // file comments in the bundle are relative to it: same bytes from any folder
    entryPoints: [path.join(root, 'apps/cli/src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Commands are loaded with import(); bundled, they are inlined: one file.
    splitting: false,
    minify: false,
    legalComments: 'eof',
    // Reproducible: no absolute paths of this machine, no timestamps.
    sourcemap: false,
    logLevel: 'warning',
    banner: {
      js: [
        '#!/usr/bin/env node',
        `// sealdrop ${version}: the Sealdrop command-line client, bundled (npm run build:cli).`,
        // Some dependencies call require(); give the ESM bundle one.
        "import { createRequire as __sealdropCreateRequire } from 'node:module';",
        'const require = __sealdropCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  };
}

/**
 * The launcher's cached build (bin/sealdrop.mjs): the same bundle as a classic
 * script body (CommonJS, no shebang), which node:vm can compile with a V8 code
 * cache; ES modules get none on Node 20 (module.enableCompileCache is Node 22).
 */
export function launcherBundleOptions(root, outfile, version) {
  return {
    ...cliBundleOptions(root, outfile, version),
    format: 'cjs',
    // No comments (some hold non-ASCII, which would make the source a two-byte string, slower to read and
    // parse); names stay, so stack traces still name functions.
    minifyWhitespace: true,
    legalComments: 'none',
    banner: { js: `// sealdrop ${version}: the Sealdrop command-line client, bundled for the launcher (bin/sealdrop.mjs).` },
  };
}
