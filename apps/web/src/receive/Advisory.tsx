// The notice an admin or the sender left on a withdrawn link. Plain text from the
// server, rendered as text (never HTML), marked as coming from them.
export function Advisory({ text }: { text: string }) {
  return (
    <figure className="notice warn advisory" data-testid="advisory">
      <figcaption>
        <strong>Notice from the sender or administrator</strong>
      </figcaption>
      <blockquote>
        <p>{text}</p>
      </blockquote>
    </figure>
  );
}
