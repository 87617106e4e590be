// A sealed share can still be opened with its secret: the sender may copy that
// link on purpose (hidden by default, it opens for anyone who has it).
import { CopyField } from '../ui/index.ts';

export function SecretLink({ url }: { url: string }) {
  return (
    <details className="secret-link">
      <summary>Also copy a secret link (opens for anyone who has it)</summary>
      <CopyField label="Secret link" value={url} hint="This link carries the key in its #fragment: share it only over a private channel." />
    </details>
  );
}
