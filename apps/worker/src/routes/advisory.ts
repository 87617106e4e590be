// PUT /api/shares/:id/advisory with `Authorization: Owner <ownerToken>`: the
// sender's note on their own revoked share (README "Incident response").
import { advisoryRequest, type AdvisoryResponse } from '@sealdrop/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { checkOwner, requireCredential } from '../middleware/auth.ts';
import { json } from '../middleware/json.ts';
import { setAdvisory } from '../lib/advisory-store.ts';
import { Fail } from '../lib/errors.ts';
import { shareIdParam } from '../lib/params.ts';
import { loadShare } from '../lib/shares.ts';

export const advisoryRoutes = new Hono<AppEnv>().put('/api/shares/:id/advisory', json(advisoryRequest, 4096), async (c) => {
  const id = shareIdParam(c.req.param('id'));
  const token = requireCredential(c, 'Owner');
  const s = await loadShare(c.env, id);
  if (!s) throw new Fail('not_found', 'no such share');
  if (!(await checkOwner(token, s))) throw new Fail('forbidden', 'this owner token does not belong to this share');
  const advisory = await setAdvisory({ env: c.env, req: c.req.raw, ip: c.var.ip }, id, c.req.valid('json').advisory, 'owner');
  return c.json({ advisory } satisfies AdvisoryResponse);
});
