// The advisory of a revoked share: a short plain-text notice its recipients read
// instead of the generic "withdrawn" (e.g. "this build was compromised; use 1.4.3").
// The admin share page and the owner's "My links" card use it with their own `save`.
import { useId, useState, type FormEvent } from 'react';
import { MAX_ADVISORY_CHARS } from '@sealdrop/shared';
import { FormMessages } from '../ui/index.ts';
import { useAction } from './useAction.ts';

export function AdvisoryEditor(props: {
  current: string | null;
  /** Stores the notice (null removes it) and answers what the server kept. */
  save: (advisory: string | null) => Promise<{ advisory: string | null }>;
  /** The query to refresh afterwards. */
  refresh: unknown[];
}) {
  const [current, setCurrent] = useState(props.current);
  const fieldId = useId();
  const hintId = useId();
  const [text, setText] = useState(current ?? '');
  const { busy, error, status, setError, run } = useAction();

  const save = (value: string | null) =>
    run(async () => {
      const r = await props.save(value);
      setText(r.advisory ?? '');
      setCurrent(r.advisory);
      return r.advisory ? 'Saved. Recipients of this link now read this notice.' : 'Removed. Recipients read the generic message again.';
    }, props.refresh);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setError('Write a notice, or use Remove.');
      return;
    }
    void save(text);
  };

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby={`${fieldId}-h`} noValidate>
      <h3 id={`${fieldId}-h`}>Notice for recipients</h3>
      <div>
        <label htmlFor={fieldId}>Shown instead of “This link was withdrawn”</label>
        <textarea
          id={fieldId}
          rows={2}
          maxLength={MAX_ADVISORY_CHARS}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-describedby={hintId}
        />
        <p id={hintId} className="muted small">
          Plain text, one line, at most {MAX_ADVISORY_CHARS} characters ({MAX_ADVISORY_CHARS - text.length} left). Shown on the link’s
          page and by the CLI.
        </p>
      </div>
      <FormMessages error={error} status={status} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          Save notice
        </button>
        {current && (
          <button type="button" disabled={busy} onClick={() => void save(null)}>
            Remove notice
          </button>
        )}
      </div>
    </form>
  );
}
