// The shares table: filter by status on the server, page with its cursor, sort
// the rows of the current page in the browser.
import { useId, useMemo, useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { formatBytes, SHARE_ID_RE, type AdminShare, type ShareStatus } from '@sealdrop/shared';
import { Link } from '../app/Link.tsx';
import { navigate } from '../app/router.ts';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { SHARE_STATUSES, formatDateTime, formatShortDateTime, shortId, statusLabel } from './format.ts';
import { QueryProblem } from './QueryProblem.tsx';

const PAGE_SIZES = [10, 25, 50, 100];

type SortKey = 'createdAt' | 'expiresAt' | 'bytes' | 'downloadsUsed' | 'status' | 'reportCount';
type Sort = { key: SortKey; dir: 'ascending' | 'descending' } | null;

export function shareHref(id: string) {
  return `/admin/shares/${encodeURIComponent(id)}`;
}

export function SharesView() {
  const { admin } = useAdmin();
  const filterId = useId();
  const sizeId = useId();
  const [status, setStatus] = useState<ShareStatus | ''>('');
  const [pageSize, setPageSize] = useState(25);
  // cursors[i] is the cursor that loads page i (undefined for the first page).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  const cursor = cursors[page];
  const [sort, setSort] = useState<Sort>(null);

  const q = useQuery({
    queryKey: [ADMIN_KEY, 'shares', status, pageSize, cursor ?? null],
    queryFn: () => admin.shares({ status: status || undefined, cursor, limit: pageSize }),
    placeholderData: keepPreviousData,
  });

  const rows = useMemo(() => sortRows(q.data?.shares ?? [], sort), [q.data, sort]);

  const changeStatus = (s: ShareStatus | '') => {
    setStatus(s);
    setCursors([undefined]);
  };

  return (
    <section aria-labelledby="admin-shares-h" className="stack">
      <h2 id="admin-shares-h">Shares</h2>
      <div className="row shares-toolbar">
        <div>
          <label htmlFor={filterId}>Status</label>
          <select id={filterId} value={status} onChange={(e) => changeStatus(e.target.value as ShareStatus | '')}>
            <option value="">All</option>
            {SHARE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={sizeId}>Rows per page</label>
          <select
            id={sizeId}
            value={pageSize}
            onChange={(e) => {
              setPageSize(Number(e.target.value));
              setCursors([undefined]);
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <OpenById />
      </div>
      <p className="muted small">Sorting a column sorts the shares on this page only; the server pages them newest first.</p>
      {q.error && <QueryProblem error={q.error} what="the shares" onRetry={() => q.refetch()} />}
      {q.isLoading && <p aria-live="polite">Loading shares…</p>}
      {q.data && rows.length === 0 && <p className="muted">{status ? `No shares with status “${statusLabel(status)}”.` : 'No shares yet.'}</p>}
      {rows.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="admin-shares-caption">
          <table className="shares-table" aria-busy={q.isFetching}>
            <caption id="admin-shares-caption" className="visually-hidden">
              Shares, page {page + 1}
              {sort ? `, sorted by ${SORT_LABEL[sort.key]} ${sort.dir}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Share</th>
                <SortHeader k="createdAt" sort={sort} setSort={setSort} />
                <SortHeader k="expiresAt" sort={sort} setSort={setSort} />
                <SortHeader k="bytes" sort={sort} setSort={setSort} />
                <SortHeader k="downloadsUsed" sort={sort} setSort={setSort} />
                <th scope="col">Password</th>
                <SortHeader k="status" sort={sort} setSort={setSort} />
                <SortHeader k="reportCount" sort={sort} setSort={setSort} />
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id} data-share-id={s.id}>
                  <th scope="row">
                    <Link href={shareHref(s.id)} className="mono" title={s.id}>
                      {shortId(s.id)}
                      <span className="visually-hidden"> (open share details)</span>
                    </Link>
                  </th>
                  <td>
                    <time dateTime={s.createdAt} title={formatDateTime(s.createdAt, true)}>
                      {formatShortDateTime(s.createdAt)}
                    </time>
                  </td>
                  <td>
                    {s.expiresAt ? (
                      <time dateTime={s.expiresAt} title={formatDateTime(s.expiresAt, true)}>
                        {formatShortDateTime(s.expiresAt)}
                      </time>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td title={`${s.bytes.toLocaleString()} bytes in ${s.files} file${s.files === 1 ? '' : 's'}`}>{formatBytes(s.bytes)}</td>
                  <td>
                    {s.downloadsUsed} / {s.maxDownloads}
                  </td>
                  <td>{s.hasPassword ? 'Yes' : 'No'}</td>
                  <td>
                    <span className={`badge status-${s.status}`}>{statusLabel(s.status)}</span>
                  </td>
                  <td className={s.reportCount > 0 ? 'error-text' : undefined}>{s.reportCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="row pager" aria-label="Shares pages">
        <button type="button" disabled={page === 0 || q.isFetching} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous
        </button>
        <span aria-live="polite">Page {page + 1}</span>
        <button
          type="button"
          disabled={!q.data?.cursor || q.isPlaceholderData || q.isFetching}
          onClick={() => q.data?.cursor && setCursors((c) => [...c, q.data.cursor ?? undefined])}
        >
          Next
        </button>
      </nav>
    </section>
  );
}

const SORT_LABEL: Record<SortKey, string> = {
  createdAt: 'Created',
  expiresAt: 'Expires',
  bytes: 'Size',
  downloadsUsed: 'Downloads',
  status: 'Status',
  reportCount: 'Reports',
};

function SortHeader(props: { k: SortKey; sort: Sort; setSort: (s: Sort) => void }) {
  const active = props.sort?.key === props.k ? props.sort.dir : undefined;
  const next = active === 'ascending' ? 'descending' : 'ascending';
  return (
    <th scope="col" aria-sort={active ?? 'none'}>
      <button type="button" className="sort" onClick={() => props.setSort({ key: props.k, dir: next })}>
        {SORT_LABEL[props.k]}
        <span aria-hidden="true" className="sort-mark">
          {active === 'ascending' ? ' ▲' : active === 'descending' ? ' ▼' : ' ↕'}
        </span>
      </button>
    </th>
  );
}

function sortRows(rows: AdminShare[], sort: Sort): AdminShare[] {
  if (!sort) return rows;
  const value = (s: AdminShare): number | string => {
    switch (sort.key) {
      case 'createdAt':
        return Date.parse(s.createdAt) || 0;
      case 'expiresAt':
        return s.expiresAt ? Date.parse(s.expiresAt) || 0 : Number.MAX_SAFE_INTEGER;
      case 'status':
        return statusLabel(s.status);
      default:
        return s[sort.key];
    }
  };
  const dir = sort.dir === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}

/** Open a share's details from its id or a pasted link (the #key part is ignored and never kept). */
function OpenById() {
  const id = useId();
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const shareId = parseShareId(value);
    if (!shareId) {
      setError('Enter a share id (22 characters) or a share link.');
      return;
    }
    setError('');
    setValue('');
    navigate(shareHref(shareId));
  };
  return (
    <form className="open-by-id" onSubmit={submit} role="search" aria-label="Open a share">
      <label htmlFor={id}>Share id or link</label>
      <div className="copy-row">
        <input
          id={id}
          type="text"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-err`}
        />
        <button type="submit">Open</button>
      </div>
      <p id={`${id}-err`} role="alert" className="error-text small">
        {error}
      </p>
    </form>
  );
}

export function parseShareId(input: string): string | null {
  const v = input.trim().split('#')[0];
  if (SHARE_ID_RE.test(v)) return v;
  const m = /\/s\/([A-Za-z0-9_-]{22})\/?(?:[?]|$)/.exec(v);
  return m ? m[1] : null;
}
