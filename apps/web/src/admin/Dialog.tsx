// Modal dialogs on the native <dialog> element: showModal() traps focus, Escape
// closes, the rest of the page is inert to keyboards and screen readers, and the
// browser returns focus to the control that opened it.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage } from './errors.ts';

export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ReactNode; className?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { open, onClose } = props;

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`dialog ${props.className ?? ''}`}
      aria-labelledby={titleId}
      onClose={() => {
        if (open) onClose();
      }}
    >
      {open && (
        <>
          <h2 id={titleId}>{props.title}</h2>
          {props.children}
        </>
      )}
    </dialog>
  );
}

/**
 * "Are you sure?" for one destructive action. The confirm button starts focused
 * only when `focusConfirm` is set; by default Cancel has focus, so Enter does not destroy.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (props.open) {
      setBusy(false);
      setError(null);
    }
  }, [props.open]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose}>
      <form onSubmit={submit} className="stack">
        <div>{props.children}</div>
        <p role="alert" className="error-text">
          {error}
        </p>
        <div className="row dialog-actions">
          <button type="button" onClick={props.onClose} autoFocus>
            Cancel
          </button>
          <button type="submit" className={props.danger ? 'danger' : 'primary'} disabled={busy}>
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
