// The link is ready: the link with its key in a read-only field, Copy, a QR code,
// expiry and limit in words, each file's SHA-256, and what the server can see.
import { useEffect, useRef, useState } from 'react';
import type { SendResult } from '../transfer/uploadStore.ts';
import { Link } from '../app/Link.tsx';
import { NotifyPanel } from './NotifyPanel.tsx';
import { LabelField } from '../links/LabelField.tsx';
import { QrCode } from './QrCode.tsx';
import { displayFingerprint } from '@sealdrop/crypto';
import { SecretLink } from '../keys/SecretLink.tsx';
import { formatBytes } from '@sealdrop/shared';
import { downloadsExplained, downloadsLabel, expiryLabel, formatDate } from './format.ts';

async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (or an old browser): select the text for Ctrl+C.
    field?.select();
    return false;
  }
}

export function DoneView({ result, onReset }: { result: SendResult; onReset: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<'' | 'ok' | 'select'>('');
  const n = result.files.length;

  useEffect(() => {
    heading.current?.focus();
  }, []);

  return (
    <section className="send-done" aria-labelledby="send-done-title">
      <h1 id="send-done-title" ref={heading} tabIndex={-1}>
        Your link is ready
      </h1>
      <div className="card stack">
        <div>
          <label htmlFor="send-link">
            {result.sealedTo
              ? `Link (it holds no secret: only ${result.sealedTo.length === 1 ? 'the key' : 'the keys'} ${result.sealedTo.map(displayFingerprint).join(', ')} can open it)`
              : 'Link (it contains the key: anyone with it can download)'}
          </label>
          <div className="row send-link-row">
            <input
              id="send-link"
              ref={field}
              className="send-link"
              type="text"
              readOnly
              value={result.url}
              spellCheck={false}
              onFocus={(e) => e.currentTarget.select()}
            />
            <button
              type="button"
              className="primary"
              onClick={async () => setCopied((await copyText(result.url, field.current)) ? 'ok' : 'select')}
            >
              Copy
            </button>
          </div>
          <p className="muted small" role="status">
            {copied === 'ok' ? 'Copied to the clipboard.' : copied === 'select' ? 'Selected: press Ctrl+C (or ⌘C) to copy.' : ''}
          </p>
          {result.secretUrl && <SecretLink url={result.secretUrl} />}
        </div>
        <div className="send-done-grid">
          <QrCode text={result.url} label="QR code of the link, for a phone camera" />
          <ul className="send-done-facts">
            <li>
              Expires after <strong>{expiryLabel(result.expiresIn)}</strong>, on {formatDate(result.expiresAt)}.
            </li>
            <li>
              Download limit: <strong>{downloadsLabel(result.maxDownloads)}</strong>. {downloadsExplained(result.maxDownloads)}
            </li>
            <li>
              {result.hasPassword
                ? 'Protected by a password. It is not in the link: send it another way.'
                : 'No password: the link alone opens it.'}
            </li>
            <li>
              You can check the downloads and revoke the link in <Link href="/links">My links</Link>.
            </li>
          </ul>
        </div>
        <LabelField id={result.id} />
        <p className="notice ok send-server-sees">
          {n === 0
            ? 'What the server can see: that you sent a message without files. It never sees the message, the key in the link or the password.'
            : `What the server can see: that you sent ${n === 1 ? 'one file' : `${n} files`} and ${n === 1 ? 'its size' : 'their sizes'}. It never sees the file names, their contents, the key in the link or the password.`}
        </p>
      </div>

      <NotifyPanel id={result.id} ownerToken={result.ownerToken} initial={result.receipt} />

      {n > 0 && (
        <>
          <h2>Checksums</h2>
          <p className="muted small">The recipient&rsquo;s browser checks these SHA-256 digests after decrypting each file.</p>
          <div className="table-wrap">
            <table className="send-hashes">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Size</th>
                  <th scope="col">SHA-256</th>
                </tr>
              </thead>
              <tbody>
                {result.files.map((f, i) => (
                  <tr key={i}>
                    <td className="mono">{f.name}</td>
                    <td>{formatBytes(f.size)}</td>
                    <td className="mono sha256">{f.sha256}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <p className="row">
        <button type="button" onClick={onReset}>
          Send more files
        </button>
      </p>
    </section>
  );
}
