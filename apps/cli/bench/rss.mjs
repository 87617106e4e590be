#!/usr/bin/env node
// Benchmark: send and receive one big file (default 1 GiB) through the real local
// stack and print each CLI process's peak RSS (VmHWM from /proc) and speed.
//   node apps/cli/bench/rss.mjs [--size-mib 1024] [--server URL]
// Without --server it starts its own stack (scripts/start.mjs) on a port of
// 8850-8859 with a fresh state folder, and removes that folder afterwards.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./rss-main.ts');
process.exitCode = await main(process.argv.slice(2));
