// Copy text, and save text as a file, without leaving the page's origin.

/** Copies `text`; falls back to selecting `input` and execCommand where the Clipboard API is missing. */
export async function copyText(text: string, input?: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!input) return false;
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** Offers `text` as a download named `filename`. */
export function saveTextFile(text: string, filename: string, type: string): void {
  saveBlob(new Blob([text], { type }), filename);
}

/** Offers `blob` as a download named `name` (a Blob URL on an a[download], revoked afterwards). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has its own reference once the download started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
