// Formatting shared by the admin dashboard and "My links": times, labels
// (sizes: formatBytes of @sealdrop/shared).
// Everything returns plain strings; callers render them as text, never as HTML.
import { useEffect, useState } from 'react';
import type { LogEvent, ShareStatus } from '@sealdrop/shared';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const SHORT = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } as const;
const short = {
  thisYear: new Intl.DateTimeFormat(undefined, SHORT),
  otherYear: new Intl.DateTimeFormat(undefined, { ...SHORT, year: 'numeric' }),
  thisYearSeconds: new Intl.DateTimeFormat(undefined, { ...SHORT, second: '2-digit' }),
  otherYearSeconds: new Intl.DateTimeFormat(undefined, { ...SHORT, year: 'numeric', second: '2-digit' }),
};

/** A compact local date and time for table cells; the year only when it is not this one. */
export function formatShortDateTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const thisYear = d.getFullYear() === new Date().getFullYear();
  if (seconds) return (thisYear ? short.thisYearSeconds : short.otherYearSeconds).format(d);
  return (thisYear ? short.thisYear : short.otherYear).format(d);
}

/** A local, human date and time; "—" for null or an unparsable value. */
export function formatDateTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return (seconds ? dateTimeSeconds : dateTime).format(d);
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A duration in words with its two largest units: "3 days 4 hours", "2 minutes 5 seconds". */
export function durationWords(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (days > 0) return hours > 0 ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day');
  if (hours > 0) return minutes > 0 ? `${plural(hours, 'hour')} ${plural(minutes, 'minute')}` : plural(hours, 'hour');
  if (minutes > 0) return seconds > 0 ? `${plural(minutes, 'minute')} ${plural(seconds, 'second')}` : plural(minutes, 'minute');
  return plural(seconds, 'second');
}

/** "expires in 2 hours 5 minutes" / "expired 3 minutes ago" / "no expiry set". */
export function expiryWords(expiresAt: string | null | undefined, now: number): string {
  if (!expiresAt) return 'no expiry set';
  const t = new Date(expiresAt).getTime();
  if (Number.isNaN(t)) return 'unknown expiry';
  const left = t - now;
  return left > 0 ? `expires in ${durationWords(left)}` : `expired ${durationWords(-left)} ago`;
}

/** The current time, re-read every `intervalMs` so time-to-expiry stays live. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** The first 8 characters of a share id, enough to tell shares apart in a table. */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

export const STATUS_LABEL: Record<ShareStatus, string> = {
  uploading: 'Uploading',
  ready: 'Active',
  expired: 'Expired',
  exhausted: 'No downloads left',
  revoked: 'Revoked',
  deleted: 'Deleted',
};

export const SHARE_STATUSES = Object.keys(STATUS_LABEL) as ShareStatus[];

export function statusLabel(s: string): string {
  return (STATUS_LABEL as Record<string, string>)[s] ?? s;
}

export const EVENT_LABEL: Record<LogEvent, string> = {
  create: 'Created',
  finalize: 'Upload finished',
  manifest: 'Opened (file list)',
  download: 'Download',
  file: 'File fetched',
  bad_link: 'Damaged link',
  bad_password: 'Wrong password',
  rate_limited: 'Rate limited',
  revoke: 'Revoked',
  report: 'Reported',
  sweep_delete: 'Deleted by sweep',
  admin: 'Admin action',
  alert: 'Alert',
  partner_refused: 'Partner token refused',
  place_refused: 'Refused: country or network',
  request_create: 'Request opened',
  request_share: 'Sent to a request',
  request_close: 'Request closed',
};

export const LOG_EVENTS = Object.keys(EVENT_LABEL) as LogEvent[];

export function eventLabel(e: string): string {
  return (EVENT_LABEL as Record<string, string>)[e] ?? e;
}

/** A log row's detail, with the token that acted unless the detail already names it ("by bootstrap"). */
export function logDetail(r: { detail?: string | null; tokenId?: string | null }): string {
  const detail = r.detail ?? '';
  if (!r.tokenId || detail.includes(r.tokenId)) return detail;
  return detail ? `${detail} (token ${r.tokenId})` : `token ${r.tokenId}`;
}

