// The shared API client as the CLI uses it: its User-Agent and its transport,
// which refuses answers that do not come from a Sealdrop server.

import { SealdropClient } from '@sealdrop/shared/client';
import { sealdropOnly } from './serverCheck.ts';
import { cliFetch } from './transfer/http.ts';
import { userAgent } from './version.ts';

export function makeClient(server: string): SealdropClient {
  return new SealdropClient(server, { fetch: sealdropOnly(server, cliFetch), headers: { 'user-agent': userAgent() } });
}
