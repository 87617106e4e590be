// Placeholder page; being built.
export function AdminPage() {
  return (
    <section>
      <h1>Sealdrop</h1>
    </section>
  );
}
