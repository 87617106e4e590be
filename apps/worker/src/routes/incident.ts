// Incident-response routes of the admin API (README "Incident response"), mounted
// inside adminRoutes (behind adminAuth): revoke by scope with a dry run, the
// freeze switch, and advisories on revoked shares.
import {
  advisoryRequest,
  freezeRequest,
  MAX_FREEZE_REASON_CHARS,
  revokeScopeRequest,
  type AdvisoryResponse,
  type FreezeResponse,
  type RevokeScopeRequest,
  type RevokeScopeResponse,
} from '@sealdrop/shared';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { json } from '../middleware/json.ts';
import { cleanNote } from '../lib/advisory.ts';
import { Fail } from '../lib/errors.ts';
import { clearFreeze, getFreeze, setFreeze } from '../lib/freeze.ts';
import { runRevoke } from '../lib/incident.ts';
import { writeLog } from '../lib/log.ts';
import { shareIdParam } from '../lib/params.ts';
import { revokeScope, type Scope } from '../lib/revoke.ts';
import { setAdvisory } from '../lib/advisory-store.ts';
import { now } from '../lib/time.ts';

const logCtx = (c: Context<AppEnv>) => ({ env: c.env, req: c.req.raw, ip: c.var.ip });

function toScope(body: RevokeScopeRequest): { scope: Scope; what: string } {
  switch (body.scope) {
    case 'all':
      return { scope: { scope: 'all' }, what: 'scope=all' };
    case 'token':
      return { scope: body, what: `scope=token token=${body.token}` };
    case 'label':
      return { scope: body, what: `scope=label label=${JSON.stringify(body.label)}` };
    case 'window': {
      const since = Date.parse(body.since);
      const until = Date.parse(body.until);
      if (!(since < until)) throw new Fail('bad_request', 'since must be before until');
      return { scope: { scope: 'window', since, until }, what: `scope=window since=${body.since} until=${body.until}` };
    }
  }
}

export const incidentAdminRoutes = new Hono<AppEnv>()
  .post('/api/admin/revoke', json(revokeScopeRequest, 4096), async (c) => {
    const body = c.req.valid('json');
    const { scope, what } = toScope(body);
    const advisory = body.advisory === undefined ? null : cleanNote(body.advisory, 'advisory');
    if (body.dryRun) {
      const r = await revokeScope(c.env, c.var.tokenId, scope, { dryRun: true });
      return c.json({ dryRun: true, revoked: r.revoked, grantsEnded: r.grantsEnded, purgePending: r.purgePending } satisfies RevokeScopeResponse);
    }
    const r = await runRevoke(c, scope, advisory, what);
    return c.json({ dryRun: false, revoked: r.revoked, grantsEnded: r.grantsEnded, purgePending: r.purgePending } satisfies RevokeScopeResponse);
  })

  .get('/api/admin/freeze', async (c) => c.json({ freeze: await getFreeze(c.env) } satisfies FreezeResponse))

  .put('/api/admin/freeze', json(freezeRequest, 4096), async (c) => {
    const reason = cleanNote(c.req.valid('json').reason, 'reason', MAX_FREEZE_REASON_CHARS);
    const freeze = await setFreeze(c.env, reason, c.var.tokenId, now());
    await writeLog(logCtx(c), { event: 'admin', detail: `freeze reason=${JSON.stringify(reason)}`, tokenId: c.var.tokenId });
    return c.json({ freeze } satisfies FreezeResponse);
  })

  .delete('/api/admin/freeze', async (c) => {
    const lifted = await clearFreeze(c.env);
    await writeLog(logCtx(c), { event: 'admin', detail: lifted ? 'unfreeze' : 'unfreeze (was not frozen)', tokenId: c.var.tokenId });
    return c.json({ freeze: null } satisfies FreezeResponse);
  })

  .put('/api/admin/shares/:id/advisory', json(advisoryRequest, 4096), async (c) => {
    const id = shareIdParam(c.req.param('id'));
    const advisory = await setAdvisory(logCtx(c), id, c.req.valid('json').advisory, c.var.tokenId);
    return c.json({ advisory } satisfies AdvisoryResponse);
  });
