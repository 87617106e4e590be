// What a share link shows until its file list is there (also while the page's code loads).
export function OpeningLink() {
  return (
    <section className="receive" aria-busy="true">
      <h1>Opening the link…</h1>
      <p className="muted">Checking that the files are still there. Opening this page does not use up a download.</p>
    </section>
  );
}
