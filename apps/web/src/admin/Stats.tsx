// The numbers at the top of the dashboard, refreshed every 30 seconds.
import { useQuery } from '@tanstack/react-query';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { formatBytes } from '@sealdrop/shared';
import { QueryProblem } from './QueryProblem.tsx';

export function Stats() {
  const { admin } = useAdmin();
  const q = useQuery({ queryKey: [ADMIN_KEY, 'stats'], queryFn: () => admin.stats(), refetchInterval: 30_000 });
  if (q.error && !q.data) return <QueryProblem error={q.error} what="the statistics" onRetry={() => q.refetch()} />;
  const s = q.data;
  const items: [string, string, string?][] = [
    ['Active shares', s ? String(s.activeShares) : '…'],
    ['Bytes stored', s ? formatBytes(s.storedBytes) : '…', s ? `${s.storedBytes.toLocaleString()} bytes` : undefined],
    ['Downloads in 24 h', s ? String(s.downloads24h) : '…'],
    ['Failed attempts in 24 h', s ? String(s.failedAuth24h) : '…'],
    ['Open reports', s ? String(s.openReports) : '…'],
    ['Failed admin sign-ins in 24 h', s ? String(s.failedAdminSignIns24h) : '…'],
  ];
  const alert = (label: string) =>
    !!s && ((label === 'Open reports' && s.openReports > 0) || (label === 'Failed admin sign-ins in 24 h' && s.failedAdminSignIns24h > 0));
  return (
    <section aria-labelledby="admin-stats-h">
      <h2 id="admin-stats-h" className="visually-hidden">
        Statistics
      </h2>
      <dl className="admin-stats" aria-busy={q.isLoading}>
        {items.map(([label, value, title]) => (
          <div key={label} className={`stat${alert(label) ? ' stat-alert' : ''}`}>
            <dt>{label}</dt>
            <dd title={title}>{value}</dd>
          </div>
        ))}
      </dl>
      {s?.freeze && (
        <p className="notice warn" role="status">
          <strong>Frozen:</strong> new shares and downloads are refused. Reason shown to users: {s.freeze.reason}
        </p>
      )}
    </section>
  );
}
