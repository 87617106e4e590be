// Shares created in this browser. Owner tokens stay in localStorage and are sent
// only as `Owner` auth to this origin; the full link (with its key) is kept only when
// the sender ticked "remember links on this device". The file names and the
// sender's own label are kept here too, so ten links can be told apart: they
// never leave this browser (the server only ever sees the encrypted manifest).
export interface MyLink {
  id: string;
  ownerToken: string;
  createdAt: string;
  expiresAt: string;
  maxDownloads: number;
  files: number;
  hasPassword: boolean;
  /** Full link with its #secret, only when the sender chose to remember it. */
  url?: string;
  /** The files' names as sent (local only). */
  names?: string[];
  /** A label of the sender's choice (local only). */
  label?: string;
}

const KEY = 'sealdrop.myLinks.v1';

export function listMyLinks(): MyLink[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(v) ? (v as MyLink[]) : [];
  } catch {
    return [];
  }
}

export function saveMyLink(link: MyLink): void {
  const rest = listMyLinks().filter((l) => l.id !== link.id);
  localStorage.setItem(KEY, JSON.stringify([link, ...rest]));
}

export function removeMyLink(id: string): void {
  localStorage.setItem(KEY, JSON.stringify(listMyLinks().filter((l) => l.id !== id)));
}

/** Adds local-only details (names, label) to a saved link; nothing when it is not saved. */
export function updateMyLink(id: string, patch: Pick<MyLink, 'names'> | Pick<MyLink, 'label'>): void {
  const all = listMyLinks();
  const i = all.findIndex((l) => l.id === id);
  if (i < 0) return;
  all[i] = { ...all[i], ...patch };
  if ('label' in patch && !patch.label?.trim()) delete all[i].label;
  localStorage.setItem(KEY, JSON.stringify(all));
}

/** What a card is called: the label, else the first file name (and how many more), else the id. */
export function linkTitle(l: MyLink): string {
  if (l.label?.trim()) return l.label.trim();
  const n = l.names ?? [];
  if (n.length === 1) return n[0];
  if (n.length > 1) return `${n[0]} and ${n.length - 1} more`;
  if (l.files === 0) return 'A message';
  return `Share ${l.id.slice(0, 8)}…`;
}

/** Links whose label, file names or id contain every word of `query` (case-insensitive). */
export function searchMyLinks(links: MyLink[], query: string): MyLink[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return links;
  return links.filter((l) => {
    const hay = [l.label ?? '', ...(l.names ?? []), l.id].join('\n').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
