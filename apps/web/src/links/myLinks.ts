// Shares created in this browser. Owner tokens stay in localStorage and are sent
// only as `Owner` auth to this origin; the full link (with its key) is kept only when
// the sender ticked "remember links on this device".
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
