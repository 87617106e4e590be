// The server's share policy (GET /api/config), checked before anything is
// encrypted or sent, so the sender learns what it requires instead of meeting a
// 403 policy_refused after the upload started.
import { policyRequirements, type ConfigResponse } from '@sealdrop/shared';
import { usage } from './exit.ts';

export function policyCheck(config: ConfigResponse, o: { password: string | null; maxDownloads: number; uploadToken?: string }, expiresIn: number): void {
  const p = config.policy;
  if (!p) return;
  const scope = o.uploadToken ? 'upload' : 'open';
  const said = () => `This server's policy: ${policyRequirements(p, scope).join(' ')}`;
  if (p.requirePassword && !o.password) throw usage(`${said()} Use --password-file FILE or --password-stdin.`);
  const lim = p.scopes?.[scope];
  if (lim?.maxExpirySeconds && expiresIn > lim.maxExpirySeconds) throw usage(`${said()} Give a shorter --expires.`);
  if (lim?.maxDownloads && o.maxDownloads > lim.maxDownloads) throw usage(`${said()} Give fewer --downloads.`);
}
