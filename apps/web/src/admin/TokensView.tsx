// API tokens: create one (its secret is shown once), list them, revoke one
// (an upload token optionally with every live share it created).
import { useRef, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiToken, CreateTokenResponse } from '@sealdrop/shared';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { Alert, Button, Checkbox, DataTable, EmptyState, Field, FormCard, Section, ShownOnce, Status } from '../ui/index.ts';
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

const TOKEN_COLUMNS = ['Label', 'Scope', 'Id', 'Created', 'Last used', 'Shares made', 'Expires', 'Status', { label: 'Actions', hidden: true } as const];

function tokenState(t: ApiToken, now: number): 'revoked' | 'expired' | 'active' {
  if (t.revokedAt) return 'revoked';
  if (Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

export function TokensView() {
  const { admin } = useAdmin();
  const queryClient = useQueryClient();
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
    <Section
      headingId="admin-tokens-h"
      title="API tokens"
      intro="Upload tokens let the CLI or a build pipeline create shares when the server requires a token; admin tokens open this dashboard. The server stores only a hash of each token."
    >
      <Status>{announce}</Status>

      {created && (
        <ShownOnce
          className="token-created"
          title={
            <>
              New {created.scope} token “{created.label}”
            </>
          }
          warning={
            <>
              <strong>Copy this token now. It will not be shown again</strong>: the server keeps only its hash.
            </>
          }
          label="Token"
          value={created.token}
          footer={<p className="muted small">Expires {formatDateTime(created.expiresAt)}.</p>}
          onDone={() => setCreated(null)}
        />
      )}

      <FormCard className="token-form" onSubmit={create} label="Create an API token">
        <Field label="Label">
          {(c) => (
            <input {...c} ref={labelInput} type="text" maxLength={100} value={label} onChange={(e) => setLabel(e.target.value)} autoComplete="off" placeholder="e.g. release pipeline" />
          )}
        </Field>
        <Field label="Scope">
          {(c) => (
            <select {...c} value={scope} onChange={(e) => setScope(e.target.value as ApiToken['scope'])}>
              <option value="upload">Upload (create shares)</option>
              <option value="download">Download (a partner opens shares that require it)</option>
              <option value="admin">Admin (this dashboard)</option>
            </select>
          )}
        </Field>
        {/* "Tags", not "Labels": the token's name field is already called Label. */}
        <Field label="Tags (key:value)">
          {(c) => (
            <input {...c} type="text" value={labels} onChange={(e) => setLabels(e.target.value)} autoComplete="off" spellCheck={false} placeholder="e.g. partner:acme release:2026-12" />
          )}
        </Field>
        <Field label="Expires after">
          {(c) => (
            <select {...c} value={expiresIn} onChange={(e) => setExpiresIn(Number(e.target.value))}>
              {EXPIRY.map(([s, l]) => (
                <option key={s} value={s}>
                  {l}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="token-form-actions">
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </Button>
        </div>
        <Alert small className="token-form-error">
          {error}
        </Alert>
      </FormCard>

      {q.error && <QueryProblem error={q.error} what="the tokens" onRetry={() => q.refetch()} />}
      {q.data && q.data.tokens.length === 0 && <EmptyState>No API tokens yet.</EmptyState>}
      {q.data && q.data.tokens.length > 0 && (
        <DataTable label="API tokens" className="tokens-table" columns={TOKEN_COLUMNS}>
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
                    <Button
                      variant="danger"
                      small
                      srLabel={` token ${t.label}`}
                      onClick={() => {
                        setAlsoShares(false);
                        setRevoking(t);
                      }}
                    >
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
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
          <Checkbox label="Also revoke every live share this token created (for a leaked token)" checked={alsoShares} onChange={setAlsoShares} />
        )}
      </ConfirmDialog>
    </Section>
  );
}
