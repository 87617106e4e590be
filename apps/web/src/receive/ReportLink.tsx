// "Report this link" under the recipient page: a reason, a send button, then a
// confirmation or the reason it was not sent (rate limits included).
import { useId, useRef, useState, type FormEvent } from 'react';
import { MAX_REPORT_CHARS, reportShare } from './report.ts';

type State = { kind: 'closed' } | { kind: 'open'; busy: boolean; error?: string } | { kind: 'sent' };

export function ReportLink({ id }: { id: string }) {
  const [state, setState] = useState<State>({ kind: 'closed' });
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const helpId = useId();
  const field = useRef<HTMLTextAreaElement>(null);

  if (state.kind === 'sent') {
    return (
      <div className="notice ok report-link" role="status">
        <p>Thank you: your report was sent to the administrators of this server. They can withdraw the link; you will not hear back here.</p>
      </div>
    );
  }
  if (state.kind === 'closed') {
    return (
      <p className="report-link">
        <button type="button" aria-expanded={false} onClick={() => setState({ kind: 'open', busy: false })}>
          Report this link
        </button>
      </p>
    );
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ kind: 'open', busy: true });
    const r = await reportShare(id, reason);
    if (r.ok) setState({ kind: 'sent' });
    else {
      setState({ kind: 'open', busy: false, error: r.message });
      field.current?.focus();
    }
  };
  return (
    <form className="card stack report-link" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${reasonId}-title`}>
      <h2 id={`${reasonId}-title`}>Report this link</h2>
      <div>
        <label htmlFor={reasonId}>What is wrong with it?</label>
        <textarea
          id={reasonId}
          ref={field}
          rows={3}
          autoFocus
          maxLength={MAX_REPORT_CHARS}
          value={reason}
          aria-describedby={helpId}
          onChange={(e) => setReason(e.target.value)}
          readOnly={state.busy}
        />
        <p id={helpId} className="muted small">
          For example malware, phishing or content you believe is illegal. The report goes to this server&rsquo;s administrators with
          the link&rsquo;s id, never its key: do not paste the link itself.
        </p>
      </div>
      {state.error && (
        <div className="notice error" role="alert">
          <p>{state.error}</p>
        </div>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={state.busy}>
          {state.busy ? 'Sending…' : 'Send the report'}
        </button>
        <button type="button" onClick={() => setState({ kind: 'closed' })} disabled={state.busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
