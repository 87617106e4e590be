// Progress of a running upload: total and per file (bytes, speed, time left), the
// retry notices, Cancel; announced politely to screen readers every few seconds.
import { useEffect, useRef, useState } from 'react';
import { useUploadStore, type UploadPhase } from '../transfer/uploadStore.ts';
import { formatBytes, formatSpeed } from '@sealdrop/shared';
import { formatDuration } from './format.ts';

const PHASE_TEXT: Record<UploadPhase, string> = {
  idle: '',
  preparing: 'Preparing keys…',
  checking: 'Checking the parts sent before the interruption…',
  uploading: 'Encrypting and uploading…',
  finalizing: 'Finishing…',
  done: 'Done.',
  error: 'The upload stopped.',
};

/** Announces the progress at most every 5 s, and every phase change at once. */
function useAnnouncement(text: string, key: string): string {
  const [said, setSaid] = useState(text);
  const last = useRef({ at: 0, key });
  useEffect(() => {
    const now = Date.now();
    if (key !== last.current.key || now - last.current.at >= 5000) {
      last.current = { at: now, key };
      setSaid(text);
      return;
    }
    const t = setTimeout(() => {
      last.current = { at: Date.now(), key };
      setSaid(text);
    }, 5000 - (now - last.current.at));
    return () => clearTimeout(t);
  }, [text, key]);
  return said;
}

/** "Waiting for the server … retrying in N s" with Retry now; the count ticks each second. */
function WaitingNotice({ waiting, onRetryNow }: { waiting: { until: number; reason: string }; onRetryNow: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = Math.ceil((waiting.until - now) / 1000);
  return (
    <p className="notice warn row" data-testid="send-waiting">
      <span>
        Waiting for the server: {waiting.reason}. {left > 0 ? `Retrying in ${left} s.` : 'Retrying now…'}
      </span>
      <button type="button" onClick={onRetryNow} disabled={left <= 0}>
        Retry now
      </button>
    </p>
  );
}

export function ProgressView({
  onCancel,
  onRetry,
  onRetryNow,
  onStartOver,
}: {
  onCancel: () => void;
  onRetry: () => void;
  onRetryNow: () => void;
  onStartOver: () => void;
}) {
  const s = useUploadStore();
  const percent = s.total > 0 ? Math.floor((s.sent / s.total) * 100) : 0;
  const running = s.phase !== 'error';
  const announcement = useAnnouncement(
    s.phase === 'uploading' ? `Uploading, ${percent} percent.` : s.phase === 'error' ? `The upload stopped: ${s.error}` : PHASE_TEXT[s.phase],
    s.phase,
  );

  return (
    <section className="card send-progress" aria-labelledby="send-progress-title">
      <h2 id="send-progress-title">{s.resumed && running ? `Resuming: ${PHASE_TEXT[s.phase]}` : PHASE_TEXT[s.phase]}</h2>
      <div className="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </div>
      <progress max={100} value={percent} aria-label="Total progress" />
      <p className="send-progress-stats" data-testid="send-stats">
        <span>
          {formatBytes(s.sent)} of {formatBytes(s.total)} ({percent}%)
        </span>
        {running && s.phase === 'uploading' && (
          <>
            <span>{formatSpeed(s.speed)}</span>
            <span>{Number.isFinite(s.eta) ? `${formatDuration(s.eta)} left` : 'estimating time left'}</span>
          </>
        )}
      </p>
      {s.notice && <p className="notice warn">{s.notice}</p>}
      {s.waiting && running && <WaitingNotice waiting={s.waiting} onRetryNow={onRetryNow} />}
      {s.error && (
        <p className="notice error" role="alert">
          {s.error}
        </p>
      )}
      <ul className="send-progress-files">
        {s.files.map((f, i) => {
          const p = f.total > 0 ? Math.floor((f.sent / f.total) * 100) : 0;
          return (
            <li key={`${f.name}\u0000${i}`}>
              <div className="row send-progress-file">
                <span className="send-file-name mono">{f.name}</span>
                <span className="muted">
                  {f.status === 'done'
                    ? 'sent'
                    : f.status === 'hashing'
                      ? 'sent, computing checksum'
                      : f.status === 'waiting'
                        ? 'waiting'
                        : `${formatBytes(Math.min(f.size, (f.sent / f.total) * f.size))} of ${formatBytes(f.size)}`}
                </span>
              </div>
              <progress max={100} value={p} aria-label={`Progress of ${f.name}`} />
            </li>
          );
        })}
      </ul>
      <div className="row">
        {s.phase === 'error' && s.canResume && (
          <button type="button" className="primary" onClick={onRetry}>
            Try again
          </button>
        )}
        {s.phase === 'error' ? (
          <>
            {s.canResume && (
              <button type="button" className="danger" onClick={onCancel}>
                Cancel the upload
              </button>
            )}
            <button type="button" onClick={onStartOver}>
              Start over
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={onCancel} disabled={s.phase === 'finalizing'}>
            Cancel
          </button>
        )}
      </div>
    </section>
  );
}
