// Shown after a reload when the journal holds an unfinished upload: asks for the
// same files again (and the password, which is never stored), then resumes.
import { useId, useState } from 'react';
import type { SendJournal } from '../transfer/journal.ts';
import { matchJournalFiles } from '../transfer/journalMatch.ts';
import type { PickedFile } from './collectFiles.ts';
import { formatBytes } from '@sealdrop/shared';
import { formatDate } from './format.ts';

export function ResumePanel({
  journal,
  picked,
  onResume,
  onDiscard,
  error,
}: {
  journal: SendJournal;
  picked: PickedFile[];
  onResume: (password: string) => void;
  onDiscard: () => void;
  error: string | null;
}) {
  const id = useId();
  const [password, setPassword] = useState('');
  const { missing } = matchJournalFiles(journal, picked);
  const ready = missing.length === 0 && (!journal.passwordSalt || password.length > 0);
  const total = journal.sizes.reduce((a, b) => a + b, 0);

  return (
    <section className="card notice warn send-resume" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>An upload was interrupted</h2>
      <p>
        Started {formatDate(journal.createdAt)}: {journal.names.length === 1 ? '1 file' : `${journal.names.length} files`}, {formatBytes(total)}.
        Add the same files again (drop them or choose them below), then resume: parts already sent are checked, not sent again.
      </p>
      <ul className="send-resume-files">
        {journal.names.map((name, i) => (
          <li key={i}>
            <span className="mono">{name}</span> <span className="muted">{formatBytes(journal.sizes[i])}</span>{' '}
            {missing.includes(name) ? <span className="muted">— not added yet</span> : <span className="ok-text">— found</span>}
          </li>
        ))}
      </ul>
      {journal.passwordSalt && (
        <div>
          <label htmlFor={`${id}-pw`}>Password of this upload</label>
          <input id={`${id}-pw`} type="password" value={password} autoComplete="off" onChange={(e) => setPassword(e.target.value)} />
          <p className="muted small">It is never stored, so it is needed again.</p>
        </div>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" className="primary" disabled={!ready} onClick={() => onResume(password)}>
          Resume the interrupted upload
        </button>
        <button type="button" onClick={onDiscard}>
          Discard it
        </button>
      </div>
    </section>
  );
}
