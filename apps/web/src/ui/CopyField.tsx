// A read-only field with a Copy button; the result is announced politely.
import { useId, useRef, useState } from 'react';
import { copyText } from './clipboard.ts';

export function CopyField(props: { label: string; value: string; hint?: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState('');
  const copy = async () => {
    const ok = await copyText(props.value, input.current);
    setStatus(ok ? 'Copied.' : 'Could not copy: select the text and copy it by hand.');
    setTimeout(() => setStatus(''), 4000);
  };
  return (
    <div className="copy-field">
      <label htmlFor={id}>{props.label}</label>
      <div className="copy-row">
        <input
          id={id}
          ref={input}
          type="text"
          readOnly
          value={props.value}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
          aria-describedby={props.hint ? `${id}-hint` : undefined}
        />
        <button type="button" onClick={copy}>
          Copy<span className="visually-hidden"> {props.label.toLowerCase()}</span>
        </button>
      </div>
      {props.hint && (
        <p id={`${id}-hint`} className="muted small">
          {props.hint}
        </p>
      )}
      <p role="status" className="small ok-text copy-status">
        {status}
      </p>
    </div>
  );
}
