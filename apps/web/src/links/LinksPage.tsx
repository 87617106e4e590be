// Placeholder page; being built.
export function LinksPage() {
  return (
    <section>
      <h1>Sealdrop</h1>
    </section>
  );
}
