// A label of the sender's choice for one of "My links", saved in this browser
// as it is typed. It is never sent to the server.
import { useId, useState } from 'react';
import { updateMyLink } from './myLinks.ts';

export function LabelField({ id, initial, onSaved }: { id: string; initial?: string; onSaved?: (label: string) => void }) {
  const [value, setValue] = useState(initial ?? '');
  const inputId = useId();
  return (
    <div className="label-field">
      <label htmlFor={inputId}>
        Label <span className="muted">(kept on this device only, never sent)</span>
      </label>
      <input
        id={inputId}
        type="text"
        maxLength={200}
        value={value}
        placeholder="e.g. Contract for Alex"
        spellCheck={false}
        onChange={(e) => {
          setValue(e.target.value);
          updateMyLink(id, { label: e.target.value });
          onSaved?.(e.target.value);
        }}
      />
    </div>
  );
}
