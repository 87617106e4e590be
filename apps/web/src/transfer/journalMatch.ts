// Which re-selected file is which file of an interrupted upload's journal.
import type { SendJournal } from './journal.ts';
import type { SendFileInput } from './sendInput.ts';

/** Matches re-selected files to a journal: by name, else by base name and size when that is unambiguous. */
export function matchJournalFiles(journal: SendJournal, picked: SendFileInput[]): { files: (SendFileInput | null)[]; missing: string[] } {
  const byName = new Map(picked.map((p) => [p.name, p]));
  const base = (n: string) => n.slice(n.lastIndexOf('/') + 1);
  const files = journal.names.map((name, i) => {
    const exact = byName.get(name);
    if (exact) return exact;
    const candidates = picked.filter((p) => base(p.name) === base(name) && p.file.size === journal.sizes[i]);
    return candidates.length === 1 ? candidates[0] : null;
  });
  return { files, missing: journal.names.filter((_, i) => !files[i]) };
}
