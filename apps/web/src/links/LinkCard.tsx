// One share sent from this browser: live status from GET /api/shares/:id/owner,
// its access log, the link when it was remembered, Revoke and Forget.
import { useId, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, type OwnerStatusResponse } from '@sealdrop/shared';
import { api } from '../app/api.ts';
import { ConfirmDialog } from '../admin/Dialog.tsx';
import { CopyField } from '../ui/index.ts';
import { errorMessage } from '../admin/errors.ts';
import { expiryWords, formatDateTime, shortId, statusLabel, useNow } from '../admin/format.ts';
import { LogTable } from '../admin/LogTable.tsx';
import { AdvisoryEditor } from '../admin/AdvisoryEditor.tsx';
import { LabelField } from './LabelField.tsx';
import { linkTitle, removeMyLink, type MyLink } from './myLinks.ts';

function problem(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 404) return 'The server no longer has this share: it ended and was cleaned up. You can forget it.';
    if (err.status === 401 || err.status === 403) return 'The server did not accept this device’s owner key for this share.';
  }
  return `Could not load its status: ${errorMessage(err)}`;
}

export function LinkCard(props: { link: MyLink; onForget: (l: MyLink) => void; onLabel?: () => void }) {
  const { link } = props;
  const title = linkTitle(link);
  const [editing, setEditing] = useState(false);
  const headingId = useId();
  const queryClient = useQueryClient();
  const now = useNow(1000);
  const [confirm, setConfirm] = useState<'revoke' | 'forget' | null>(null);
  const [announce, setAnnounce] = useState('');
  const q = useQuery({
    queryKey: ['owner', link.id],
    queryFn: () => api.ownerStatus(link.id, link.ownerToken),
    refetchInterval: 30_000,
    retry: (n, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && n < 1,
  });
  const s: OwnerStatusResponse | undefined = q.data;
  const expiresAt = s?.expiresAt ?? link.expiresAt;
  // The server's status; a share past its time reads as expired even before the next refresh.
  const status = s ? (s.status === 'ready' && expiresAt && Date.parse(expiresAt) <= now ? 'expired' : s.status) : null;
  const live = status === 'ready' || status === 'uploading';

  const revoke = async () => {
    await api.revoke(link.id, link.ownerToken);
    setAnnounce('Share revoked: the link no longer works and its files are being deleted.');
    await queryClient.invalidateQueries({ queryKey: ['owner', link.id] });
  };
  const forget = async () => {
    removeMyLink(link.id);
    queryClient.removeQueries({ queryKey: ['owner', link.id] });
    props.onForget(link);
  };

  return (
    <article className="card link-card stack" aria-labelledby={headingId} data-share-id={link.id}>
      <div className="row link-head">
        <h2 id={headingId} className="link-title">
          {linkTitle(link)}
        </h2>
        {status && <span className={`badge status-${status}`}>{statusLabel(status)}</span>}
      </div>
      <p className="muted small">
        {link.files === 0 ? 'a message, no file' : `${link.files} file${link.files === 1 ? '' : 's'}`} · sent {formatDateTime(link.createdAt)}
        {link.hasPassword ? ' · password protected' : ''} · <span className="mono" title={link.id}>{shortId(link.id)}</span>
      </p>
      {link.names && link.names.length > 1 && (
        <details className="small link-names">
          <summary>Files</summary>
          <ul>
            {link.names.map((n, i) => (
              <li key={i} className="mono">
                {n}
              </li>
            ))}
          </ul>
        </details>
      )}
      {editing ? (
        <div className="row">
          <LabelField id={link.id} initial={link.label} onSaved={props.onLabel} />
          <button type="button" onClick={() => setEditing(false)}>
            Done
          </button>
        </div>
      ) : null}

      {q.isLoading && <p>Loading status…</p>}
      {q.error && !s && (
        <p className="notice warn" role="alert">
          {problem(q.error)}
        </p>
      )}

      {s && (
        <dl className="facts">
          <div>
            <dt>Downloads</dt>
            <dd>
              {s.downloadsUsed} of {s.maxDownloads} used, {Math.max(0, s.maxDownloads - s.downloadsUsed)} left
            </dd>
          </div>
          <div>
            <dt>Wrong passwords</dt>
            <dd>{s.wrongPasswords}</dd>
          </div>
          <div>
            <dt>Expiry</dt>
            <dd>
              {status === 'revoked' || status === 'deleted' ? (
                '—'
              ) : (
                <time dateTime={expiresAt ?? undefined} title={formatDateTime(expiresAt, true)}>
                  {expiryWords(expiresAt, now)}
                </time>
              )}
            </dd>
          </div>
        </dl>
      )}

      {link.url && <CopyField label="Link" value={link.url} hint="Anyone with this link can download the files (and needs the password if it has one)." />}

      {s && (
        <details className="link-log">
          <summary>
            Access log ({s.log.length} {s.log.length === 1 ? 'entry' : 'entries'})
          </summary>
          <LogTable rows={s.log} caption={`Access log of ${title}`} captionHidden columns={['time', 'event', 'outcome']} />
        </details>
      )}

      {status === 'revoked' && (
        <AdvisoryEditor current={null} save={(v) => api.setAdvisory(link.id, link.ownerToken, v)} refresh={['owner', link.id]} />
      )}

      <p role="status" className="ok-text">
        {announce}
      </p>
      <div className="row">
        {live && (
          <button type="button" className="danger" onClick={() => setConfirm('revoke')}>
            Revoke<span className="visually-hidden"> {title}</span>
          </button>
        )}
        <button type="button" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
          {link.label ? 'Change the label' : 'Add a label'}
          <span className="visually-hidden"> of {title}</span>
        </button>
        <button type="button" onClick={() => setConfirm('forget')}>
          Forget<span className="visually-hidden"> {title}</span> on this device
        </button>
        {q.error && s === undefined && (
          <button type="button" onClick={() => q.refetch()}>
            Try again
          </button>
        )}
      </div>

      <ConfirmDialog
        open={confirm === 'revoke'}
        title="Revoke this share?"
        confirmLabel="Revoke share"
        danger
        onConfirm={revoke}
        onClose={() => setConfirm(null)}
      >
        <p>The link stops working at once for everyone and the stored files are deleted. This cannot be undone.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'forget'}
        title="Forget this share on this device?"
        confirmLabel="Forget"
        onConfirm={forget}
        onClose={() => setConfirm(null)}
      >
        <p>
          {live
            ? 'The share stays active and its link keeps working, but this browser will no longer be able to see its downloads or revoke it.'
            : 'It is removed from this list. The share itself is not changed.'}
        </p>
      </ConfirmDialog>
    </article>
  );
}
