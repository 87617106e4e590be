// The admin dashboard (/admin). Sub-paths: /admin (stats + shares), /admin/shares/:id,
// /admin/log, /admin/tokens. App routes every /admin/* path here.
import { useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { SHARE_ID_RE } from '@sealdrop/shared';
import { api } from '../app/api.ts';
import { Link } from '../app/Link.tsx';
import { usePath } from '../app/router.ts';
import { ADMIN_KEY, AdminContext } from './context.ts';
import { setAdminToken, useAdminToken } from './session.ts';
import { SignIn } from './SignIn.tsx';
import { Stats } from './Stats.tsx';
import { SharesView } from './SharesView.tsx';
import { ShareDetail } from './ShareDetail.tsx';
import { LogView } from './LogView.tsx';
import { TokensView } from './TokensView.tsx';
import { WebhooksView } from './WebhooksView.tsx';
import { AccessReportView } from './AccessReportView.tsx';
import { RevokeAll } from './RevokeAll.tsx';
import { FreezePanel } from './FreezePanel.tsx';
import { RevokeScope } from './RevokeScope.tsx';
import './admin.css';

type View = { name: 'shares' } | { name: 'share'; id: string } | { name: 'log' } | { name: 'tokens' } | { name: 'webhooks' } | { name: 'access' } | { name: 'unknown' };

export function adminView(path: string): View {
  const rest = path.replace(/^\/admin\/?/, '').replace(/\/$/, '');
  if (rest === '' || rest === 'shares') return { name: 'shares' };
  if (rest === 'log') return { name: 'log' };
  if (rest === 'tokens') return { name: 'tokens' };
  if (rest === 'webhooks') return { name: 'webhooks' };
  if (rest === 'access') return { name: 'access' };
  const m = /^shares\/([^/]+)$/.exec(rest);
  if (m) {
    const id = decodeURIComponent(m[1]);
    if (SHARE_ID_RE.test(id)) return { name: 'share', id };
  }
  return { name: 'unknown' };
}

export function AdminPage() {
  const token = useAdminToken();
  const path = usePath();
  const queryClient = useQueryClient();
  const [signedOut, setSignedOut] = useState(false);

  const ctx = useMemo(
    () =>
      token
        ? {
            admin: api.admin(token),
            signOut: () => {
              setAdminToken(null);
              queryClient.removeQueries({ queryKey: [ADMIN_KEY] });
              setSignedOut(true);
            },
          }
        : null,
    [token, queryClient],
  );

  if (!ctx) return <SignIn notice={signedOut ? 'Signed out. The token was removed from this tab.' : undefined} />;
  const view = adminView(path);
  const tab = view.name === 'share' ? 'shares' : view.name;

  return (
    <AdminContext.Provider value={ctx}>
      <div className="admin stack">
        <div className="row admin-head">
          <h1>Admin</h1>
          <button type="button" onClick={ctx.signOut}>
            Sign out
          </button>
        </div>
        <Stats />
        <nav className="admin-tabs" aria-label="Admin sections">
          <Link href="/admin" aria-current={tab === 'shares' ? 'page' : undefined}>
            Shares
          </Link>
          <Link href="/admin/log" aria-current={tab === 'log' ? 'page' : undefined}>
            Access log
          </Link>
          <Link href="/admin/tokens" aria-current={tab === 'tokens' ? 'page' : undefined}>
            API tokens
          </Link>
          <Link href="/admin/webhooks" aria-current={tab === 'webhooks' ? 'page' : undefined}>
            Webhooks
          </Link>
          <Link href="/admin/access" aria-current={tab === 'access' ? 'page' : undefined}>
            Partner access
          </Link>
        </nav>
        {view.name === 'shares' && (
          <>
            <SharesView />
            <FreezePanel />
            <RevokeScope />
            <RevokeAll />
          </>
        )}
        {view.name === 'share' && <ShareDetail key={view.id} id={view.id} />}
        {view.name === 'log' && <LogView />}
        {view.name === 'tokens' && <TokensView />}
        {view.name === 'webhooks' && <WebhooksView />}
        {view.name === 'access' && <AccessReportView />}
        {view.name === 'unknown' && (
          <p className="notice warn">
            There is no such admin page. <Link href="/admin">Back to the shares</Link>.
          </p>
        )}
      </div>
    </AdminContext.Provider>
  );
}
