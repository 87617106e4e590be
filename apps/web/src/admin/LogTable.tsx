// An access log as a table. Every cell is plain text: user agents, countries and
// details come from strangers and are never interpreted as markup.
import { countryLabel, type LogRow } from '@sealdrop/shared';
import { Link } from '../app/Link.tsx';
import { eventLabel, formatDateTime, formatShortDateTime, logDetail, shortId } from './format.ts';

export type LogColumn = 'time' | 'event' | 'share' | 'ip' | 'country' | 'userAgent' | 'outcome' | 'detail';

const HEAD: Record<LogColumn, string> = {
  time: 'Time',
  event: 'Event',
  share: 'Share',
  ip: 'IP',
  country: 'Country',
  userAgent: 'User agent',
  outcome: 'Outcome',
  detail: 'Detail',
};

export function LogTable(props: { rows: LogRow[]; columns: LogColumn[]; caption: string; captionHidden?: boolean; shareHref?: (id: string) => string }) {
  if (props.rows.length === 0) return <p className="muted">No log entries.</p>;
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={props.caption}>
      <table className="log-table">
        <caption className={props.captionHidden ? 'visually-hidden' : undefined}>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c} scope="col">
                {HEAD[c]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.id} data-event={r.event}>
              {props.columns.map((c) => (
                <td key={c} className={`log-${c}`}>
                  {cell(r, c, props.shareHref)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function cell(r: LogRow, c: LogColumn, shareHref?: (id: string) => string) {
  switch (c) {
    case 'time':
      return (
        <time dateTime={r.at} title={formatDateTime(r.at, true)}>
          {formatShortDateTime(r.at, true)}
        </time>
      );
    case 'event':
      return (
        <span className={`event event-${r.event}`} title={r.event}>
          {r.event === 'admin' && r.outcome === 'unauthorized' ? 'Failed admin sign-in' : eventLabel(r.event)}
        </span>
      );
    case 'share':
      if (!r.shareId) return '—';
      return shareHref ? (
        <Link href={shareHref(r.shareId)} className="mono" title={r.shareId}>
          {shortId(r.shareId)}
        </Link>
      ) : (
        <span className="mono">{shortId(r.shareId)}</span>
      );
    case 'ip':
      return <span className="mono">{r.ip ?? '—'}</span>;
    case 'country':
      return countryLabel(r.ip, r.country);
    case 'userAgent':
      // Clamped to two lines on screen; the whole text stays in the page (and in the tooltip).
      return r.userAgent ? (
        <span className="clamp" title={r.userAgent}>
          {r.userAgent}
        </span>
      ) : (
        '—'
      );
    case 'outcome':
      return r.outcome ?? '—';
    case 'detail':
      return logDetail(r) || '—';
  }
}
