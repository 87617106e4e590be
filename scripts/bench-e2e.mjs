#!/usr/bin/env node
// npm run bench:e2e: a benchmark, not a test (issue 11). End-to-end transfers through
// a stack of its own, interleaved with the raw ceiling of our routes; see
// scripts/bench/e2e/main.ts. Options: --size 1GiB --rounds 3 (or --repeat) --port 8820
// --skip-build --timeout-min 120 --json --check (exit 1 when a goal is missed).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./bench/e2e/main.ts');
process.exitCode = await main(process.argv.slice(2));
