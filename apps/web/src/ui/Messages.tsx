// Live messages: an error (role=alert) and a result (role=status). They are always
// rendered, empty until there is something to say, so screen readers announce the
// change rather than miss an element that appears with its text.
import type { ReactNode } from 'react';
import { cx } from './classes.ts';

export function Alert(props: { children?: ReactNode; small?: boolean; className?: string }) {
  return (
    <p role="alert" className={cx('error-text', props.small && 'small', props.className)}>
      {props.children}
    </p>
  );
}

/** `tone="ok"` (green) for a done action; `plain` for progress. */
export function Status(props: { children?: ReactNode; tone?: 'ok' | 'plain'; small?: boolean; className?: string }) {
  return (
    <p role="status" className={cx((props.tone ?? 'ok') === 'ok' && 'ok-text', props.small && 'small', props.className)}>
      {props.children}
    </p>
  );
}

/** A form's error and result, announced when they change. */
export function FormMessages({ error, status }: { error: string; status: string }) {
  return (
    <>
      <Alert>{error}</Alert>
      <Status>{status}</Status>
    </>
  );
}

/** What a list or table shows when it has nothing in it. */
export function EmptyState(props: { children: ReactNode }) {
  return <p className="muted">{props.children}</p>;
}
