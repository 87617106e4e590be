// Expiry, download limit, optional password (show/hide, "Suggest one") and
// "remember links on this device", each with its default visible.
import { useId, useState } from 'react';
import { MAX_NOTE_CHARS } from '@sealdrop/crypto';
import type { ConfigResponse } from '@sealdrop/shared';
import { DOWNLOAD_CHOICES, EXPIRY_CHOICES, downloadsExplained } from './format.ts';
import { suggestPassphrase } from './passphrase.ts';

export interface SendOptionsValue {
  expiresIn: number;
  maxDownloads: number;
  password: string;
  remember: boolean;
  /** Only for servers whose uploadPolicy is "token" (kept for this tab's session). */
  uploadToken: string;
  /** A message for the recipient, sealed in the manifest with the file names. */
  note: string;
  /** Owner receipts: a URL told of this share's downloads (empty: none). */
  notifyUrl: string;
  /** Partner access: the label a recipient's partner token must carry (empty: none). */
  requireLabel: string;
  /** Labels of the share, `key:value` separated by spaces or commas. */
  labels: string;
  /** Publish each file's SHA-256 to the server (off: the server learns no hash). */
  publishSha256: boolean;
}

const TOKEN_KEY = 'sealdrop.uploadToken';
export const savedUploadToken = () => {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
};
const saveUploadToken = (t: string) => {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lives in memory only
  }
};

export const DEFAULT_EXPIRY = 24 * 3600;
export const DEFAULT_DOWNLOADS = 1;

export function expiryChoices(config?: ConfigResponse) {
  const max = config?.maxExpirySeconds ?? Infinity;
  const allowed = EXPIRY_CHOICES.filter((c) => c.seconds <= max);
  return allowed.length ? allowed : EXPIRY_CHOICES.slice(0, 1);
}

export function downloadChoices(config?: ConfigResponse) {
  const max = config?.maxDownloads ?? Infinity;
  const allowed = DOWNLOAD_CHOICES.filter((n) => n <= max);
  return allowed.length ? allowed : [1];
}

/** The defaults, lowered to what the server allows. */
export function defaultOptions(config?: ConfigResponse): SendOptionsValue {
  const exp = expiryChoices(config);
  const dl = downloadChoices(config);
  return {
    expiresIn: exp.some((c) => c.seconds === DEFAULT_EXPIRY) ? DEFAULT_EXPIRY : exp[exp.length - 1].seconds,
    maxDownloads: dl.includes(DEFAULT_DOWNLOADS) ? DEFAULT_DOWNLOADS : dl[0],
    password: '',
    remember: false,
    uploadToken: savedUploadToken(),
    note: '',
    notifyUrl: '',
    requireLabel: '',
    labels: '',
    publishSha256: false,
  };
}

export function SendOptions({
  value,
  onChange,
  config,
  disabled,
}: {
  value: SendOptionsValue;
  onChange: (v: SendOptionsValue) => void;
  config?: ConfigResponse;
  disabled?: boolean;
}) {
  const id = useId();
  const [showPassword, setShowPassword] = useState(false);
  const [suggested, setSuggested] = useState(false);
  const set = (patch: Partial<SendOptionsValue>) => onChange({ ...value, ...patch });

  return (
    <fieldset className="card send-options" disabled={disabled}>
      <legend>Options</legend>
      <div className="send-options-grid">
        <div>
          <label htmlFor={`${id}-expiry`}>Link expires after</label>
          <select id={`${id}-expiry`} value={value.expiresIn} onChange={(e) => set({ expiresIn: Number(e.target.value) })}>
            {expiryChoices(config).map((c) => (
              <option key={c.seconds} value={c.seconds}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-downloads`}>Download limit</label>
          <select
            id={`${id}-downloads`}
            value={value.maxDownloads}
            aria-describedby={`${id}-downloads-help`}
            onChange={(e) => set({ maxDownloads: Number(e.target.value) })}
          >
            {downloadChoices(config).map((n) => (
              <option key={n} value={n}>
                {n === 1 ? '1 download' : `${n} downloads`}
              </option>
            ))}
          </select>
          <p id={`${id}-downloads-help`} className="muted small">
            {downloadsExplained(value.maxDownloads)}
          </p>
        </div>
      </div>

      {config?.uploadPolicy === 'token' && (
        <div className="send-token">
          <label htmlFor={`${id}-token`}>Upload token</label>
          <input
            id={`${id}-token`}
            type="password"
            value={value.uploadToken}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${id}-token-help`}
            onChange={(e) => {
              saveUploadToken(e.target.value.trim());
              set({ uploadToken: e.target.value.trim() });
            }}
          />
          <p id={`${id}-token-help`} className="muted small">
            This server accepts uploads only from people with a token. Ask its administrator for one.
          </p>
        </div>
      )}

      <div className="send-password">
        <label htmlFor={`${id}-password`}>
          Password <span className="muted">(optional)</span>
        </label>
        <div className="row send-password-row">
          <input
            id={`${id}-password`}
            type={showPassword ? 'text' : 'password'}
            value={value.password}
            autoComplete="new-password"
            spellCheck={false}
            aria-describedby={`${id}-password-help`}
            onChange={(e) => {
              setSuggested(false);
              set({ password: e.target.value });
            }}
          />
          <button type="button" aria-pressed={showPassword} onClick={() => setShowPassword((s) => !s)}>
            {showPassword ? 'Hide' : 'Show'}
          </button>
          <button
            type="button"
            onClick={() => {
              set({ password: suggestPassphrase() });
              setShowPassword(true);
              setSuggested(true);
            }}
          >
            Suggest one
          </button>
        </div>
        <p id={`${id}-password-help`} className="muted small">
          {value.password
            ? 'The recipient needs the link and this password. Send the password another way than the link (say it on a call, or use a different app), so one stolen message is not enough.'
            : 'Without a password, anyone with the link can download the files.'}
          {suggested && ' This passphrase was made of five random words in your browser.'}
        </p>
      </div>

      <div className="send-note">
        <label htmlFor={`${id}-note`}>
          Message for the recipient <span className="muted">(optional)</span>
        </label>
        <textarea
          id={`${id}-note`}
          rows={2}
          maxLength={MAX_NOTE_CHARS}
          value={value.note}
          aria-describedby={`${id}-note-help`}
          onChange={(e) => set({ note: e.target.value })}
        />
        <p id={`${id}-note-help`} className="muted small">
          Encrypted with the files: the server cannot read it either. With no file added, the message is sent on its own.
        </p>
      </div>

      <div className="send-notify">
        <label htmlFor={`${id}-notify`}>
          Notify a URL of downloads <span className="muted">(optional)</span>
        </label>
        <input
          id={`${id}-notify`}
          type="url"
          value={value.notifyUrl}
          placeholder="https://hooks.example.com/me"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-notify-help`}
          onChange={(e) => set({ notifyUrl: e.target.value })}
        />
        <p id={`${id}-notify-help`} className="muted small">
          Each view, download, wrong password and revoke of this share is posted there as signed JSON (never the key). The signing secret is shown
          once, with the link.
        </p>
      </div>

      <div className="send-partner">
        <label htmlFor={`${id}-require-label`}>
          Require a partner token with label <span className="muted">(optional)</span>
        </label>
        <input
          id={`${id}-require-label`}
          value={value.requireLabel}
          placeholder="partner:acme"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-require-label-help`}
          onChange={(e) => set({ requireLabel: e.target.value })}
        />
        <p id={`${id}-require-label-help`} className="muted small">
          The link then opens only together with a partner download token carrying this label.
        </p>
        <label htmlFor={`${id}-labels`}>
          Labels <span className="muted">(optional)</span>
        </label>
        <input
          id={`${id}-labels`}
          value={value.labels}
          placeholder="release:2026-12"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-labels-help`}
          onChange={(e) => set({ labels: e.target.value })}
        />
        <p id={`${id}-labels-help`} className="muted small">
          key:value tags, separated by spaces or commas, that administrators filter shares by.
        </p>
      </div>

      <div className="send-remember send-publish-sha256">
        <input
          id={`${id}-publish-sha256`}
          type="checkbox"
          checked={value.publishSha256}
          aria-describedby={`${id}-publish-sha256-help`}
          onChange={(e) => set({ publishSha256: e.target.checked })}
        />
        <label htmlFor={`${id}-publish-sha256`}>Publish the SHA-256 of each file to the server, so notifications can show them</label>
        <p id={`${id}-publish-sha256-help`} className="muted small">
          Off by default: the server then learns no hash of your files. On: the hashes are stored with the share as public metadata and shown in
          webhook and receipt messages, so people can check what they received. Never the key or the names.
        </p>
      </div>

      <div className="send-remember">
        <input id={`${id}-remember`} type="checkbox" checked={value.remember} onChange={(e) => set({ remember: e.target.checked })} />
        <label htmlFor={`${id}-remember`}>Remember links on this device</label>
        <p className="muted small">
          Keeps the full link, with its key, in this browser&rsquo;s &ldquo;My links&rdquo;. Off: only what lets you check and revoke the share is kept.
        </p>
      </div>
    </fieldset>
  );
}
