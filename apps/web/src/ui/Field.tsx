// A labelled form control: the label is tied to the control by id, and a hint,
// when given, is the control's description (aria-describedby).
import { useId, type ReactNode } from 'react';
import { cx } from './classes.ts';

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
}

export function Field(props: { label: ReactNode; hint?: ReactNode; id?: string; className?: string; children: (control: ControlProps) => ReactNode }) {
  const own = useId();
  const id = props.id ?? own;
  const hintId = `${id}-hint`;
  return (
    <div className={props.className}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, ...(props.hint ? { 'aria-describedby': hintId } : {}) })}
      {props.hint && (
        <p id={hintId} className="small muted">
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** A checkbox with its label after it. */
export function Checkbox(props: { label: ReactNode; checked: boolean; onChange: (checked: boolean) => void; id?: string; className?: string }) {
  const own = useId();
  const id = props.id ?? own;
  return (
    <div className={cx('checkbox', props.className)}>
      <input id={id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} />
      <label htmlFor={id}>{props.label}</label>
    </div>
  );
}
