// The reason an administrator froze the server (README "Incident response"),
// shown above the send form: new shares are refused until it is lifted.
import type { FreezeState } from '@sealdrop/shared';

export function FreezeBanner({ freeze }: { freeze: FreezeState | null | undefined }) {
  if (!freeze) return null;
  return (
    <div className="notice warn" role="status" data-testid="freeze-banner">
      <p>
        <strong>Sending is paused on this server.</strong> An administrator stopped new shares for now; links already sent keep
        working.
      </p>
      {/* Plain text from the server: React renders it as text, never as HTML. */}
      <p>Reason: {freeze.reason}</p>
    </div>
  );
}
