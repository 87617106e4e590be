// The files chosen so far: name, size, a Remove button, and the reason a name
// cannot be sent, next to that name.
import { checkFileName } from '@sealdrop/crypto';
import type { PickedFile } from './collectFiles.ts';
import { formatBytes } from '@sealdrop/shared';

export function FileList({ files, onRemove, onClear }: { files: PickedFile[]; onRemove: (i: number) => void; onClear: () => void }) {
  if (files.length === 0) return null;
  const total = files.reduce((n, f) => n + f.file.size, 0);
  return (
    <div className="card send-files">
      <div className="row send-files-head">
        <h2 id="send-files-title">
          {files.length === 1 ? '1 file' : `${files.length} files`}, {formatBytes(total)}
        </h2>
        <button type="button" onClick={onClear}>
          Remove all
        </button>
      </div>
      <ul className="send-file-list" aria-labelledby="send-files-title">
        {files.map((f, i) => {
          const problem = checkFileName(f.name);
          return (
            <li key={`${f.name}\u0000${i}`} className={problem ? 'bad' : undefined}>
              <span className="send-file-name mono">{f.name}</span>
              <span className="send-file-size muted">{formatBytes(f.file.size)}</span>
              <button type="button" className="send-file-remove" onClick={() => onRemove(i)} aria-label={`Remove ${f.name}`}>
                Remove
              </button>
              {problem && (
                <span className="send-file-problem error-text" role="note">
                  Cannot be sent: {problem}.
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
