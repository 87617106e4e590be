// The shared API client as the CLI uses it: its User-Agent and its transport.

import { SealdropClient } from '@sealdrop/shared/client';
import { cliFetch } from './transfer/http.ts';
import { userAgent } from './version.ts';

export function makeClient(server: string): SealdropClient {
  return new SealdropClient(server, { fetch: cliFetch, headers: { 'user-agent': userAgent() } });
}
