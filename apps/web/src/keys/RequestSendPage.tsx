// /r/<id>#<fingerprint>: send files to a file request. The page shows whose key
// the files are sealed to, and refuses to send when the server's key is not the
// one the link names (a swapped key). The upload is the send page's (upload.ts).
import type { Recipient } from '@sealdrop/crypto';
import { useEffect, useId, useState } from 'react';
import { useStore } from 'zustand';
import { startSend, resetSend } from '../transfer/upload.ts';
import { useUploadStore } from '../transfer/uploadStore.ts';
import { openRequestForSending } from './myRequests.ts';
import './keys.css';

type State = { kind: 'loading' } | { kind: 'refused'; title: string; body: string } | { kind: 'ready'; recipient: Recipient; shown: string; expiresIn: number; sharesLeft: number };

export function RequestSendPage({ id }: { id: string }) {
  const [fingerprint] = useState(() => location.hash.slice(1));
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [files, setFiles] = useState<File[]>([]);
  const inputId = useId();
  const phase = useStore(useUploadStore, (s) => s.phase);
  const error = useStore(useUploadStore, (s) => s.error);
  useEffect(() => {
    resetSend();
    openRequestForSending(id, fingerprint).then(
      (r) => setState({ kind: 'ready', recipient: r.recipient, shown: r.shown, expiresIn: r.expiresIn, sharesLeft: r.info.sharesLeft }),
      (e: Error & { reason?: string }) =>
        setState({
          kind: 'refused',
          title: e.reason === 'fingerprint_mismatch' ? 'This request link does not match its key' : 'This request cannot take files',
          body: e.message,
        }),
    );
  }, [id, fingerprint]);

  if (state.kind === 'loading') return <p role="status">Loading…</p>;
  if (state.kind === 'refused') {
    return (
      <section className="keys" aria-labelledby="req-title">
        <h1 id="req-title">{state.title}</h1>
        <div className="notice error" role="alert">
          <p>{state.body}</p>
        </div>
      </section>
    );
  }
  const send = () =>
    void startSend(
      files.map((f) => ({ name: f.name, file: f })),
      { expiresIn: state.expiresIn, maxDownloads: 5, password: null, remember: false, recipients: [state.recipient], request: id },
    );
  return (
    <section className="keys" aria-labelledby="req-title">
      <h1 id="req-title">Send files to this request</h1>
      <p>
        Files are encrypted in this browser and sealed to the requester's key, fingerprint <span className="fingerprint">{state.shown}</span>. Only they can open them.
      </p>
      {phase === 'done' ? (
        <p role="status" className="ok-text">
          Sent. The requester will find {files.length === 1 ? 'the file' : 'the files'} in their Requests page.
        </p>
      ) : (
        <>
          <p>
            <label htmlFor={inputId}>Files to send</label>{' '}
            <input id={inputId} type="file" multiple onChange={(e) => setFiles([...(e.currentTarget.files ?? [])])} />
          </p>
          <p>
            <button type="button" className="primary" disabled={files.length === 0 || phase !== 'idle'} onClick={send}>
              Encrypt and send
            </button>
          </p>
          <p role="status">{phase !== 'idle' && phase !== 'error' ? 'Sending…' : ''}</p>
          {phase === 'error' && error && (
            <div className="notice error" role="alert">
              <p>{error}</p>
            </div>
          )}
        </>
      )}
    </section>
  );
}
