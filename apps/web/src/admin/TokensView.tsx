// API tokens: create one (its secret is shown once), list them, revoke one
// (an upload token optionally with every live share it created).
import { useId, useRef, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiToken, CreateTokenResponse } from '@sealdrop/shared';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { CopyField } from './CopyField.tsx';
import { ConfirmDialog } from './Dialog.tsx';
import { formatDateTime, formatShortDateTime } from './format.ts';
import { errorMessage } from './errors.ts';
import { QueryProblem } from './QueryProblem.tsx';

const DAY = 24 * 3600;
const EXPIRY: [number, string][] = [
  [DAY, '1 day'],
  [7 * DAY, '7 days'],
  [30 * DAY, '30 days'],
  [90 * DAY, '90 days'],
  [365 * DAY, '1 year'],
];

function tokenState(t: ApiToken, now: number): 'revoked' | 'expired' | 'active' {
  if (t.revokedAt) return 'revoked';
  if (Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

export function TokensView() {
  const { admin } = useAdmin();
  const queryClient = useQueryClient();
  const ids = { label: useId(), scope: useId(), expiry: useId(), labels: useId() };
  const labelInput = useRef<HTMLInputElement>(null);
  const [label, setLabel] = useState('');
  const [scope, setScope] = useState<ApiToken['scope']>('upload');
  const [labels, setLabels] = useState('');
  const [expiresIn, setExpiresIn] = useState(30 * DAY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [created, setCreated] = useState<CreateTokenResponse | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [alsoShares, setAlsoShares] = useState(false);
  const alsoSharesId = useId();
  const [announce, setAnnounce] = useState('');
  const q = useQuery({ queryKey: [ADMIN_KEY, 'tokens'], queryFn: () => admin.tokens() });
  const now = Date.now();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const l = label.trim();
    if (!l) {
      setError('Give the token a label, so you can tell it apart later.');
      labelInput.current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      const tags = labels.split(/[\s,]+/).filter(Boolean);
      const t = await admin.createToken({ label: l, scope, expiresIn, ...(tags.length ? { labels: tags } : {}) });
      setCreated(t);
      setLabel('');
      setLabels('');
      setAnnounce(`Token “${t.label}” created. Copy it now: it will not be shown again.`);
      await queryClient.invalidateQueries({ queryKey: [ADMIN_KEY, 'tokens'] });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (t: ApiToken) => {
    const withShares = t.scope === 'upload' && alsoShares;
    const r = await admin.deleteToken(t.id, { revokeShares: withShares });
    setAnnounce(
      withShares
        ? `Token “${t.label}” revoked, and ${r.revokedShares === 1 ? '1 share' : `${r.revokedShares} shares`} it created.`
        : `Token “${t.label}” revoked.`,
    );
    if (created?.id === t.id) setCreated(null);
    // Shares, stats and the log change too when shares were revoked.
    await queryClient.invalidateQueries({ queryKey: withShares ? [ADMIN_KEY] : [ADMIN_KEY, 'tokens'] });
  };

  return (
    <section aria-labelledby="admin-tokens-h" className="stack">
      <h2 id="admin-tokens-h">API tokens</h2>
      <p className="muted">
        Upload tokens let the CLI or a build pipeline create shares when the server requires a token; admin tokens open this
        dashboard. The server stores only a hash of each token.
      </p>
      <p role="status" className="ok-text">
        {announce}
      </p>

      {created && (
        <div className="notice warn stack token-created">
          <h3>New {created.scope} token “{created.label}”</h3>
          <p>
            <strong>Copy this token now. It will not be shown again</strong>: the server keeps only its hash.
          </p>
          <CopyField label="Token" value={created.token} />
          <p className="muted small">Expires {formatDateTime(created.expiresAt)}.</p>
          <button type="button" onClick={() => setCreated(null)}>
            I have saved it
          </button>
        </div>
      )}

      <form className="card token-form" onSubmit={create} aria-label="Create an API token" noValidate>
        <div>
          <label htmlFor={ids.label}>Label</label>
          <input
            id={ids.label}
            ref={labelInput}
            type="text"
            maxLength={100}
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            autoComplete="off"
            placeholder="e.g. release pipeline"
          />
        </div>
        <div>
          <label htmlFor={ids.scope}>Scope</label>
          <select id={ids.scope} value={scope} onChange={(e) => setScope(e.target.value as ApiToken['scope'])}>
            <option value="upload">Upload (create shares)</option>
            <option value="download">Download (a partner opens shares that require it)</option>
            <option value="admin">Admin (this dashboard)</option>
          </select>
        </div>
        <div>
          {/* "Tags", not "Labels": the token's name field is already called Label. */}
          <label htmlFor={ids.labels}>Tags (key:value)</label>
          <input
            id={ids.labels}
            type="text"
            value={labels}
            onChange={(e) => setLabels(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. partner:acme release:2026-12"
          />
        </div>
        <div>
          <label htmlFor={ids.expiry}>Expires after</label>
          <select id={ids.expiry} value={expiresIn} onChange={(e) => setExpiresIn(Number(e.target.value))}>
            {EXPIRY.map(([s, l]) => (
              <option key={s} value={s}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="token-form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </div>
        <p role="alert" className="error-text small token-form-error">
          {error}
        </p>
      </form>

      {q.error && <QueryProblem error={q.error} what="the tokens" onRetry={() => q.refetch()} />}
      {q.data && q.data.tokens.length === 0 && <p className="muted">No API tokens yet.</p>}
      {q.data && q.data.tokens.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="API tokens">
          <table className="tokens-table">
            <caption className="visually-hidden">API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Scope</th>
                <th scope="col">Id</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Shares made</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.tokens.map((t) => {
                const state = tokenState(t, now);
                return (
                  <tr key={t.id} data-token-id={t.id}>
                    <th scope="row">{t.label}</th>
                    <td>
                      {t.scope === 'admin' ? 'Admin' : t.scope === 'download' ? 'Download' : 'Upload'}
                      {t.labels?.length ? <span className="muted small mono"> {t.labels.join(' ')}</span> : null}
                    </td>
                    <td className="mono">{t.id}</td>
                    <td>{formatShortDateTime(t.createdAt)}</td>
                    <td>{t.lastUsedAt ? formatShortDateTime(t.lastUsedAt) : 'Never'}</td>
                    <td>{t.shares}</td>
                    <td>{formatShortDateTime(t.expiresAt)}</td>
                    <td>
                      <span className={`badge token-${state}`}>
                        {state === 'revoked' ? `Revoked ${formatShortDateTime(t.revokedAt)}` : state === 'expired' ? 'Expired' : 'Active'}
                      </span>
                    </td>
                    <td>
                      {state === 'active' && (
                        <button
                          type="button"
                          className="danger small-button"
                          onClick={() => {
                            setAlsoShares(false);
                            setRevoking(t);
                          }}
                        >
                          Revoke<span className="visually-hidden"> token {t.label}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this token?"
        confirmLabel="Revoke token"
        danger
        onConfirm={() => revoke(revoking!)}
        onClose={() => setRevoking(null)}
      >
        <p>
          “{revoking?.label}” ({revoking?.scope}) stops working at once. Anything that uses it will be refused.
        </p>
        {revoking?.scope === 'upload' && (
          <div className="checkbox">
            <input id={alsoSharesId} type="checkbox" checked={alsoShares} onChange={(e) => setAlsoShares(e.target.checked)} />
            <label htmlFor={alsoSharesId}>Also revoke every live share this token created (for a leaked token)</label>
          </div>
        )}
      </ConfirmDialog>
    </section>
  );
}
