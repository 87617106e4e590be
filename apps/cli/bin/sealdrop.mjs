#!/usr/bin/env node
// Launcher: the CLI is TypeScript consumed as source (like every workspace package),
// so register tsx's loader and hand over to src/main.ts.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
