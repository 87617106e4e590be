// The access log across shares: a time range, an event and a share filter, and
// exports in the formats the server writes (CSV, JSON Lines), saved as files.
import { useState, type FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { LogQuery, LogRow } from '@sealdrop/shared';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { LOG_EVENTS, eventLabel } from './format.ts';
import { LogChain } from './LogChain.tsx';
import { LogTable } from './LogTable.tsx';
import { QueryProblem } from './QueryProblem.tsx';
import { parseShareId, shareHref } from './SharesView.tsx';
import { Alert, Button, Checkbox, Field, FormCard, saveTextFile, Section } from '../ui/index.ts';
import { errorMessage } from './errors.ts';

/** A Date as the value of an <input type="datetime-local"> (local time, minutes). */
function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The local time typed in a datetime-local input as an ISO UTC string. */
function fromLocalInput(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Admin actions that succeeded drown the rest; refused sign-ins are always shown. */
const hiddenByDefault = (r: LogRow) => r.event === 'admin' && r.outcome !== 'unauthorized';

/** Rows per page of the log view; "Show older entries" fetches the next. */
const PAGE_ROWS = 200;

function countText(rows: LogRow[], all: boolean): string {
  const n = (k: number) => `${k} ${k === 1 ? 'entry' : 'entries'}`;
  if (all) return n(rows.length);
  const admin = rows.filter(hiddenByDefault).length;
  return admin ? `${n(rows.length - admin)} shown, ${admin} admin action${admin === 1 ? '' : 's'} hidden (exports include them)` : n(rows.length);
}

export function LogView() {
  const { admin } = useAdmin();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600 * 1000)));
  const [until, setUntil] = useState('');
  const [event, setEvent] = useState('');
  const [share, setShare] = useState('');
  const [formError, setFormError] = useState('');
  const [filters, setFilters] = useState<LogQuery>(() => ({ since: fromLocalInput(since) }));
  const [exportStatus, setExportStatus] = useState('');
  const [exporting, setExporting] = useState(false);
  // Every dashboard request is itself logged as an admin action; they drown the rest unless asked for.
  const [showAdmin, setShowAdmin] = useState(false);

  const q = useInfiniteQuery({
    queryKey: [ADMIN_KEY, 'log', filters],
    queryFn: ({ pageParam }) => admin.log({ ...filters, limit: PAGE_ROWS, before: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.cursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.rows);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const f: LogQuery = { since: fromLocalInput(since), until: fromLocalInput(until), event: event || undefined };
    if (f.since && f.until && f.since > f.until) {
      setFormError('“From” must be before “Until”.');
      return;
    }
    if (share.trim()) {
      const id = parseShareId(share);
      if (!id) {
        setFormError('The share filter must be a share id (22 characters) or a share link.');
        return;
      }
      f.share = id;
    }
    setFormError('');
    setFilters(f);
  };

  const exportAs = async (format: 'csv' | 'jsonl') => {
    setExporting(true);
    setExportStatus(`Preparing the ${format === 'csv' ? 'CSV' : 'JSON Lines'} file…`);
    try {
      const text = await admin.exportLog(format, filters);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      saveTextFile(
        text,
        `sealdrop-log-${stamp}.${format}`,
        format === 'csv' ? 'text/csv;charset=utf-8' : 'application/x-ndjson;charset=utf-8',
      );
      setExportStatus(`Saved the log as ${format === 'csv' ? 'CSV' : 'JSON Lines'}.`);
    } catch (err) {
      setExportStatus(`Export failed: ${errorMessage(err)}`);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Section headingId="admin-log-h" title="Access log">
      <LogChain />
      <FormCard className="log-filters" onSubmit={apply} label="Filter the access log" browserChecks>
        <Field label="From">{(c) => <input {...c} type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />}</Field>
        <Field label="Until">{(c) => <input {...c} type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />}</Field>
        <Field label="Event">
          {(c) => (
            <select {...c} value={event} onChange={(e) => setEvent(e.target.value)}>
              <option value="">All events</option>
              {LOG_EVENTS.map((ev) => (
                <option key={ev} value={ev}>
                  {eventLabel(ev)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Share (optional)">
          {(c) => <input {...c} type="text" value={share} onChange={(e) => setShare(e.target.value)} autoComplete="off" spellCheck={false} placeholder="id or link" />}
        </Field>
        <div className="log-filters-actions">
          <Button type="submit" variant="primary">
            Show
          </Button>
        </div>
        <Alert small className="log-filters-error">
          {formError}
        </Alert>
        <p className="muted small log-filters-note">Times are in your local time zone.</p>
      </FormCard>

      <div className="row">
        <Button onClick={() => exportAs('csv')} disabled={exporting}>
          Export CSV
        </Button>
        <Button onClick={() => exportAs('jsonl')} disabled={exporting}>
          Export JSON Lines
        </Button>
        <span role="status" className="small">
          {exportStatus}
        </span>
      </div>

      {q.error && <QueryProblem error={q.error} what="the access log" onRetry={() => q.refetch()} />}
      {q.isLoading && <p>Loading the log…</p>}
      {rows && (
        <>
          <div className="row">
            <p className="muted small" role="status">
              {countText(rows, showAdmin || filters.event === 'admin')}
              {q.hasNextPage ? ' (older entries on the next page)' : ''}
            </p>
            {filters.event !== 'admin' && (
              <Checkbox label="Show admin actions" checked={showAdmin} onChange={setShowAdmin} />
            )}
          </div>
          <LogTable
            rows={showAdmin || filters.event === 'admin' ? rows : rows.filter((r) => !hiddenByDefault(r))}
            caption="Access log"
            captionHidden
            columns={['time', 'event', 'share', 'ip', 'country', 'userAgent', 'outcome', 'detail']}
            shareHref={shareHref}
          />
          {q.hasNextPage && (
            <div>
              <Button onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
                {q.isFetchingNextPage ? 'Loading older entries…' : 'Show older entries'}
              </Button>
            </div>
          )}
        </>
      )}
    </Section>
  );
}
