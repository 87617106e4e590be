// Placeholder page; being built.
export function ReceivePage(_props: { id: string }) {
  return (
    <section>
      <h1>Sealdrop</h1>
    </section>
  );
}
