// Placeholder page; being built.
export function SendPage() {
  return (
    <section>
      <h1>Sealdrop</h1>
    </section>
  );
}
