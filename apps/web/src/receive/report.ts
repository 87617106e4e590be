// "Report this link": POST /api/shares/:id/report with the recipient's reason,
// and what to tell them about the answer. Only the share id and the reason are
// sent: never the key (the server also redacts anything that looks like one).
import { ApiError, MAX_REPORT_CHARS } from '@sealdrop/shared';
import { api } from '../app/api.ts';

export type ReportOutcome = { ok: true } | { ok: false; message: string };

export { MAX_REPORT_CHARS };

function minutes(seconds: number): string {
  const m = Math.max(1, Math.ceil(seconds / 60));
  return m === 1 ? '1 minute' : `${m} minutes`;
}

export async function reportShare(id: string, reason: string): Promise<ReportOutcome> {
  const text = reason.trim();
  if (!text) return { ok: false, message: 'Say what is wrong with this link, then send the report.' };
  try {
    await api.report(id, text.slice(0, MAX_REPORT_CHARS));
    return { ok: true };
  } catch (e) {
    if (e instanceof ApiError) {
      if (e.code === 'rate_limited') {
        return { ok: false, message: `Too many reports were sent from here or about this link. Your report was not sent; try again in ${minutes(e.retryAfter ?? 60)}.` };
      }
      if (e.code === 'network') return { ok: false, message: 'The server did not answer, so the report was not sent. Check your connection and try again.' };
      if (e.code === 'not_found') return { ok: false, message: 'The server does not know this link any more, so there is nothing to report.' };
    }
    return { ok: false, message: 'The server refused the report. Try again in a moment.' };
  }
}
