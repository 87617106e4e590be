// A form's error (role=alert) and result (role=status), announced when they change.
export function FormMessages({ error, status }: { error: string; status: string }) {
  return (
    <>
      <p role="alert" className="error-text">
        {error}
      </p>
      <p role="status" className="ok-text">
        {status}
      </p>
    </>
  );
}
