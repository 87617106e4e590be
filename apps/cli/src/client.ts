// The shared API client as the CLI uses it: its User-Agent and its transport,
// which refuses answers that do not come from a Sealdrop server.

import { SealdropClient } from '@sealdrop/shared/client';
import { config as zodConfig } from 'zod';
import { sealdropOnly } from './serverCheck.ts';
import { cliFetch } from './transfer/http.ts';
import { userAgent } from './version.ts';

// A CLI run checks each API schema a few times at most: zod's default compiles a
// parser per schema on first use (~2 ms each, issue 11: a 1 KiB send pays for
// it on every request); interpreted is quicker for that, and checks the same.
zodConfig({ jitless: true });

export function makeClient(server: string): SealdropClient {
  return new SealdropClient(server, { fetch: sealdropOnly(server, cliFetch), headers: { 'user-agent': userAgent() } });
}
