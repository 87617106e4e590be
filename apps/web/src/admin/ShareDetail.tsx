// One share: its facts, its access log and reports, and Revoke.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '../app/Link.tsx';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { ConfirmDialog } from './Dialog.tsx';
import { formatBytes } from '@sealdrop/shared';
import { formatDateTime, statusLabel } from './format.ts';
import { LogTable } from './LogTable.tsx';
import { QueryProblem } from './QueryProblem.tsx';
import { AdvisoryEditor } from './AdvisoryEditor.tsx';

export function ShareDetail(props: { id: string }) {
  const { admin } = useAdmin();
  const queryClient = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const [announce, setAnnounce] = useState('');
  const q = useQuery({ queryKey: [ADMIN_KEY, 'share', props.id], queryFn: () => admin.share(props.id) });
  const s = q.data;
  const live = s && (s.status === 'ready' || s.status === 'uploading');

  const revoke = async () => {
    await admin.revoke(props.id);
    setAnnounce('Share revoked. Its files are being deleted and its link no longer works.');
    await queryClient.invalidateQueries({ queryKey: [ADMIN_KEY] });
  };

  return (
    <section className="stack" aria-labelledby="share-detail-h">
      <p>
        <Link href="/admin">← All shares</Link>
      </p>
      <h2 id="share-detail-h">
        Share <span className="mono">{props.id}</span>
      </h2>
      <p role="status" className="ok-text">
        {announce}
      </p>
      {q.error && <QueryProblem error={q.error} what="this share" onRetry={() => q.refetch()} />}
      {q.isLoading && <p>Loading…</p>}
      {s && (
        <>
          <div className="card">
            <dl className="facts">
              <div>
                <dt>Status</dt>
                <dd>
                  <span className={`badge status-${s.status}`}>{statusLabel(s.status)}</span>
                </dd>
              </div>
              <div>
                <dt>Created</dt>
                <dd>{formatDateTime(s.createdAt, true)}</dd>
              </div>
              <div>
                <dt>Expires</dt>
                <dd>{formatDateTime(s.expiresAt, true)}</dd>
              </div>
              <div>
                <dt>Size</dt>
                <dd title={`${s.bytes.toLocaleString()} bytes`}>
                  {formatBytes(s.bytes)} in {s.files} file{s.files === 1 ? '' : 's'}
                </dd>
              </div>
              <div>
                <dt>Downloads</dt>
                <dd>
                  {s.downloadsUsed} of {s.maxDownloads} used
                </dd>
              </div>
              <div>
                <dt>Password</dt>
                <dd>{s.hasPassword ? 'Yes' : 'No'}</dd>
              </div>
              <div>
                <dt>Wrong passwords</dt>
                <dd>{s.wrongPasswords}</dd>
              </div>
              <div>
                <dt>Reports</dt>
                <dd>{s.reportCount}</dd>
              </div>
            </dl>
            <div className="row">
              <button type="button" className="danger" disabled={!live} onClick={() => setConfirm(true)}>
                Revoke this share…
              </button>
              {!live && <span className="muted small">Only uploading or active shares can be revoked.</span>}
            </div>
          </div>

          {s.status === 'revoked' && (
            <AdvisoryEditor current={s.advisory} save={(v) => admin.setAdvisory(props.id, v)} refresh={[ADMIN_KEY, 'share', props.id]} />
          )}

          <h3>Reports</h3>
          {s.reports.length === 0 ? (
            <p className="muted">No reports.</p>
          ) : (
            <ul className="reports">
              {s.reports.map((r) => (
                <li key={r.id} className="card">
                  <p className="muted small">
                    <time dateTime={r.at}>{formatDateTime(r.at, true)}</time>
                    {r.ip && <> · from <span className="mono">{r.ip}</span></>}
                  </p>
                  <p className="report-reason">{r.reason}</p>
                </li>
              ))}
            </ul>
          )}

          <h3>Access log</h3>
          <LogTable
            rows={s.log}
            caption={`Access log of share ${props.id}`}
            captionHidden
            columns={['time', 'event', 'ip', 'country', 'userAgent', 'outcome', 'detail']}
          />
        </>
      )}
      <ConfirmDialog
        open={confirm}
        title="Revoke this share?"
        confirmLabel="Revoke share"
        danger
        onConfirm={revoke}
        onClose={() => setConfirm(false)}
      >
        <p>
          The link stops working at once for everyone, open downloads end, and the stored files are deleted. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
