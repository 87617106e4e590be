// How a failed admin request looks: a plain message, and for a token the server
// stopped accepting (revoked, expired) a way to sign in again.
import { errorMessage, isAuthError } from './errors.ts';
import { useAdmin } from './context.ts';

export function QueryProblem(props: { error: unknown; what: string; onRetry?: () => void }) {
  const { signOut } = useAdmin();
  if (isAuthError(props.error)) {
    return (
      <div className="notice error" role="alert">
        <p>The server no longer accepts this admin token (it may have been revoked or have expired).</p>
        <button type="button" onClick={signOut}>
          Sign in again
        </button>
      </div>
    );
  }
  return (
    <div className="notice error" role="alert">
      <p>
        Could not load {props.what}: {errorMessage(props.error)}
      </p>
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
