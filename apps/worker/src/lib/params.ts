// Path parameters. A share id that is not 22 base64url characters is 404 before
// D1 is touched; indices are canonical decimal (no sign, no leading zeros).
import { SHARE_ID_RE } from '@sealdrop/shared';
import { Fail } from './errors.ts';

export function shareIdParam(id: string | undefined): string {
  if (!id || !SHARE_ID_RE.test(id)) throw new Fail('not_found', 'no such share');
  return id;
}

const INDEX_RE = /^(0|[1-9][0-9]{0,8})$/;

export function indexParam(v: string | undefined, what: string): number {
  if (!v || !INDEX_RE.test(v)) throw new Fail('bad_request', `the ${what} must be a decimal number without leading zeros`);
  return Number(v);
}
