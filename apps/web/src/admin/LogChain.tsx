// The log's chain state: sealed rows, the last signed checkpoint, the log key,
// and a check of the whole chain run in this browser.
import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { LogVerdict } from '@sealdrop/crypto';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { QueryProblem } from './QueryProblem.tsx';
import { errorMessage } from './errors.ts';
import { verdictText, verifyChain } from './logChain.ts';

export function LogChain() {
  const { admin } = useAdmin();
  const keyId = useId();
  const q = useQuery({ queryKey: [ADMIN_KEY, 'log-status'], queryFn: () => admin.logStatus(), refetchInterval: 60_000 });
  const [key, setKey] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<LogVerdict | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  if (q.error && !q.data) return <QueryProblem error={q.error} what="the log's chain state" onRetry={() => q.refetch()} />;
  const s = q.data;
  const cp = s?.lastCheckpoint ?? null;
  const keyValue = key ?? s?.publicKey ?? '';

  const verify = async () => {
    setBusy(true);
    setVerdict(null);
    setStatus('Checking every row and checkpoint…');
    try {
      const v = await verifyChain(admin, keyValue);
      setVerdict(v);
      setStatus(verdictText(v));
    } catch (err) {
      setStatus(`The check could not run: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="admin-chain-h" className="card stack log-chain">
      <h3 id="admin-chain-h">Log integrity</h3>
      <dl className="log-chain-facts" aria-busy={q.isLoading}>
        <div>
          <dt>Sealed rows</dt>
          <dd>{s ? s.sealedRows : '…'}</dd>
        </div>
        <div>
          <dt>Waiting for the next sweep</dt>
          <dd>{s ? s.unsealedRows : '…'}</dd>
        </div>
        <div>
          <dt>Dropped by retention</dt>
          <dd>{s ? s.retained : '…'}</dd>
        </div>
        <div>
          <dt>Last checkpoint</dt>
          <dd>
            {cp ? (
              <>
                #{cp.n}, <time dateTime={cp.at}>{new Date(cp.at).toLocaleString()}</time>, rows {cp.first}–{cp.last}
                <br />
                <span className="mono small" title="head: the chain hash after its last row">
                  {cp.head}
                </span>
              </>
            ) : s ? (
              'none yet (the sweep writes one every 5 minutes)'
            ) : (
              '…'
            )}
          </dd>
        </div>
      </dl>
      <div>
        <label htmlFor={keyId}>Log key</label>
        <input
          id={keyId}
          type="text"
          className="mono"
          value={keyValue}
          onChange={(e) => setKey(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={`${keyId}-hint`}
        />
        <p id={`${keyId}-hint`} className="muted small">
          The server’s own key is filled in; compare it with the key you noted when the server was set up (printed by npm start), or paste that one.
        </p>
      </div>
      <div className="row">
        <button type="button" onClick={verify} disabled={busy || !keyValue}>
          Verify the chain
        </button>
        <span role="status" className="small" data-testid="chain-verdict">
          {status}
        </span>
      </div>
      {verdict && !verdict.ok && (
        <ul className="notice error log-chain-problems" aria-label="Problems found in the log">
          {verdict.problems.map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
