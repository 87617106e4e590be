// The app's one API client: same origin, so no request ever leaves this site.
import { SealdropClient } from '@sealdrop/shared';
import { fetchPrefetched } from './prefetch.ts';

export const api = new SealdropClient(location.origin, { fetch: fetchPrefetched });
