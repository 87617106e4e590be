// Cards: a form in a card (named for assistive technology, validated by the page
// rather than the browser's bubbles), and a notice that shows a secret once.
import type { FormEvent, ReactNode } from 'react';
import { Button } from './Button.tsx';
import { cx } from './classes.ts';
import { CopyField } from './CopyField.tsx';

/** `browserChecks`: leave the browser's own field checks on (date inputs that must be whole). */
export function FormCard(props: { label: string; onSubmit: (e: FormEvent) => void; className?: string; browserChecks?: boolean; children: ReactNode }) {
  return (
    <form className={cx('card', props.className)} onSubmit={props.onSubmit} aria-label={props.label} noValidate={!props.browserChecks}>
      {props.children}
    </form>
  );
}

/**
 * A secret the server shows only once (a token, a signing secret): a warning,
 * the value with a Copy button, and "I have saved it" to dismiss it.
 */
export function ShownOnce(props: { title: ReactNode; warning: ReactNode; label: string; value: string; footer?: ReactNode; className?: string; onDone: () => void }) {
  return (
    <div className={cx('notice warn stack', props.className)}>
      <h3>{props.title}</h3>
      <p>{props.warning}</p>
      <CopyField label={props.label} value={props.value} />
      {props.footer}
      <Button onClick={props.onDone}>I have saved it</Button>
    </div>
  );
}
