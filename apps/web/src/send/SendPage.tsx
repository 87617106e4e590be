// "/": pick or drop files, choose options, send; then progress, then the link.
// This component renders state; the protocol lives in @sealdrop/transfer, its browser adapter in src/transfer/upload.ts.
import { useQuery } from '@tanstack/react-query';
import { FreezeBanner } from './FreezeBanner.tsx';
import { useCallback, useEffect, useRef, useState } from 'react';
import { checkFileName } from '@sealdrop/crypto';
import { api } from '../app/api.ts';
import { listJournals, type SendJournal } from '../transfer/journal.ts';
import { checkNotifyUrl } from '../transfer/receipts.ts';
import { cancelSend, discardJournal, resetSend, resumeSend, retryNow, retrySend, startSend } from '../transfer/upload.ts';
import { checkLimits, checkRules, checkSelection, rulesFromFields } from '../transfer/uploadWords.ts';
import { useUploadStore } from '../transfer/uploadStore.ts';
import { prepareUploadCrypto } from '../transfer/uploadCrypto.ts';
import { dragHasFiles, fromDataTransfer, fromFileList, type PickedFile } from './collectFiles.ts';
import { updateMyLink } from '../links/myLinks.ts';
import { DoneView } from './DoneView.tsx';
import { warmDateFormat } from './format.ts';
import { FileList } from './FileList.tsx';
import { ProgressView } from './ProgressView.tsx';
import { ResumePanel } from './ResumePanel.tsx';
import { defaultOptions, SendOptions, type SendOptionsValue } from './SendOptions.tsx';
import { RecipientsField } from '../keys/RecipientsField.tsx';
import type { Recipient } from '@sealdrop/crypto';
import './send.css';
import { PolicyNotice } from './PolicyNotice.tsx';

/** Adds files, replacing an entry of the same name (the same file dropped twice). */
function merge(current: PickedFile[], added: PickedFile[]): PickedFile[] {
  const byName = new Map(current.map((f) => [f.name, f]));
  for (const f of added) byName.set(f.name, f);
  return [...byName.values()];
}

export function SendPage() {
  const phase = useUploadStore((s) => s.phase);
  const result = useUploadStore((s) => s.result);
  const storeError = useUploadStore((s) => s.error);
  const resumed = useUploadStore((s) => s.resumed);
  const canResume = useUploadStore((s) => s.canResume);
  const config = useQuery({ queryKey: ['config'], queryFn: () => api.config(), staleTime: 5 * 60_000 });
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [options, setOptions] = useState<SendOptionsValue>(() => defaultOptions());
  const [touchedOptions, setTouchedOptions] = useState(false);
  const [recipients, setRecipients] = useState<Recipient[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
  const [journals, setJournals] = useState<SendJournal[]>([]);
  const [resumeError, setResumeError] = useState<string | null>(null);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const idle = phase === 'idle';

  const refreshJournals = useCallback(() => {
    listJournals().then(setJournals, () => setJournals([]));
  }, []);
  useEffect(refreshJournals, [refreshJournals]);

  // Defaults follow the server's limits until the user picks something.
  useEffect(() => {
    if (config.data && !touchedOptions) setOptions((o) => ({ ...defaultOptions(config.data), password: o.password, remember: o.remember, uploadToken: o.uploadToken }));
  }, [config.data, touchedOptions]);

  // A resume that failed on its input (wrong password, missing file, share gone):
  // back to the page, with the reason next to the journal (or on its own).
  useEffect(() => {
    if (phase === 'error' && resumed && !canResume) {
      setResumeError(storeError);
      resetSend();
      refreshJournals();
    }
  }, [phase, resumed, canResume, storeError, refreshJournals]);

  const add = useCallback((files: PickedFile[]) => {
    if (files.length === 0) return;
    setProblems([]);
    setPicked((cur) => merge(cur, files));
    prepareUploadCrypto();
    // The done page's date formatter, while the sender still chooses (issue 11).
    setTimeout(warmDateFormat, 100);
  }, []);

  // Drop files anywhere on the page while choosing. While sending, a drop is
  // refused (the browser would otherwise open the file in place of this page).
  useEffect(() => {
    if (!idle) {
      const refuse = (e: DragEvent) => {
        if (!dragHasFiles(e)) return;
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
      };
      window.addEventListener('dragover', refuse);
      window.addEventListener('drop', refuse);
      return () => {
        window.removeEventListener('dragover', refuse);
        window.removeEventListener('drop', refuse);
      };
    }
    let depth = 0;
    const over = (e: DragEvent) => {
      if (!dragHasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const enter = (e: DragEvent) => {
      if (!dragHasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (!dragHasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer || !dragHasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      fromDataTransfer(e.dataTransfer).then(add, (err) => setProblems([`Could not read what was dropped: ${(err as Error).message}`]));
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      setDragging(false);
    };
  }, [idle, add]);

  const journal = journals[0] ?? null;
  // A note with no file is a share of its own: a secret message.
  const noteOnly = picked.length === 0 && options.note.trim() !== '';

  const send = () => {
    const bad = picked.filter((f) => checkFileName(f.name)).length;
    const notifyProblem = options.notifyUrl.trim() ? checkNotifyUrl(options.notifyUrl) : null;
    // The opt-in travels with the share rules: the engine sends it at create and the hashes at finalize.
    const rules = { ...rulesFromFields(options), ...(options.publishSha256 ? { publishSha256: true as const } : {}) };
    const found = [
      ...(bad
        ? [`${bad === 1 ? 'One name' : `${bad} names`} cannot be sent: remove ${bad === 1 ? 'that file' : 'those files'} or rename before adding (see the list).`, ...checkLimits(picked, config.data)]
        : checkSelection(picked, config.data, options.note)),
      ...(notifyProblem ? [notifyProblem] : []),
      ...checkRules(rules),
    ];
    if (found.length) {
      setProblems(found);
      return;
    }
    setProblems([]);
    setResumeError(null);
    void startSend(picked, {
      expiresIn: options.expiresIn,
      maxDownloads: options.maxDownloads,
      password: options.password || null,
      remember: options.remember,
      note: options.note.trim() || undefined,
      notifyUrl: options.notifyUrl.trim() || undefined,
      uploadToken: config.data?.uploadPolicy === 'token' ? options.uploadToken || undefined : undefined,
      ...(recipients.length ? { recipients } : {}),
      rules,
      config: config.data,
    });
  };

  const resume = (password: string) => {
    if (!journal) return;
    setResumeError(null);
    void resumeSend({ journal, files: picked, password }).then(refreshJournals);
  };

  const reset = () => {
    resetSend();
    setPicked([]);
    setProblems([]);
    setResumeError(null);
    setOptions((o) => ({ ...defaultOptions(config.data), remember: o.remember, uploadToken: o.uploadToken }));
    setTouchedOptions(false);
    refreshJournals();
  };

  // "My links" shows the names (kept in this browser only) so links can be told apart.
  useEffect(() => {
    if (phase === 'done' && result) updateMyLink(result.id, { names: result.files.map((f) => f.name) });
  }, [phase, result]);

  if (phase === 'done' && result) {
    return (
      <section className="send">
        <DoneView result={result} onReset={reset} />
      </section>
    );
  }

  return (
    <section className={`send${dragging ? ' dragging' : ''}`}>
      <h1>Send files, encrypted</h1>
      <p className="muted send-lead">
        Your browser encrypts the files before anything is uploaded. The key travels only in the link you share: the server stores
        ciphertext it cannot read.
      </p>
      <FreezeBanner freeze={config.data?.freeze} />

      {!idle ? (
        <ProgressView
          onCancel={() => void cancelSend().then(refreshJournals)}
          onRetry={() => void retrySend()}
          onRetryNow={retryNow}
          onStartOver={() => {
            resetSend();
            refreshJournals();
          }}
        />
      ) : (
        <>
          {journal && (
            <ResumePanel
              journal={journal}
              picked={picked}
              error={resumeError}
              onResume={resume}
              onDiscard={() => {
                setResumeError(null);
                void discardJournal(journal).then(refreshJournals);
              }}
            />
          )}
          {!journal && resumeError && (
            <p className="notice error" role="alert">
              {resumeError}
            </p>
          )}

          <div className={`dropzone send-drop${dragging ? ' active' : ''}`}>
            <p className="send-drop-title">Drop files or folders anywhere on this page</p>
            <div className="row send-pick">
              <button type="button" className="primary" onClick={() => filesInput.current?.click()}>
                Choose files
              </button>
              <button type="button" onClick={() => folderInput.current?.click()}>
                Choose a folder
              </button>
            </div>
            <input
              ref={filesInput}
              className="visually-hidden"
              type="file"
              multiple
              tabIndex={-1}
              aria-hidden="true"
              data-testid="send-files-input"
              onChange={(e) => {
                add(fromFileList(e.currentTarget.files ?? []));
                e.currentTarget.value = '';
              }}
            />
            <input
              ref={folderInput}
              className="visually-hidden"
              type="file"
              multiple
              tabIndex={-1}
              aria-hidden="true"
              data-testid="send-folder-input"
              // React does not know webkitdirectory; set as a plain attribute.
              {...{ webkitdirectory: '', directory: '' }}
              onChange={(e) => {
                add(fromFileList(e.currentTarget.files ?? []));
                e.currentTarget.value = '';
              }}
            />
          </div>

          <FileList
            files={picked}
            onRemove={(i) => setPicked((cur) => cur.filter((_, j) => j !== i))}
            onClear={() => setPicked([])}
          />

          {!journal && (
            <>
              <PolicyNotice config={config.data} withToken={Boolean(options.uploadToken)} />
              <SendOptions
                value={options}
                config={config.data}
                onChange={(v) => {
                  setTouchedOptions(true);
                  setOptions(v);
                }}
              />
              <RecipientsField value={recipients} onChange={setRecipients} />
              {problems.length > 0 && (
                <div className="notice error" role="alert">
                  {problems.map((p, i) => (
                    <p key={i}>{p}</p>
                  ))}
                </div>
              )}
              <p className="row">
                <button type="button" className="primary send-button" onClick={send} disabled={picked.length === 0 && !noteOnly}>
                  {noteOnly ? 'Encrypt and send the note' : picked.length > 1 ? `Encrypt and send ${picked.length} files` : 'Encrypt and send'}
                </button>
              </p>
            </>
          )}
          {journal && <p className="muted">Finish or discard the interrupted upload before sending new files.</p>}
        </>
      )}
    </section>
  );
}
