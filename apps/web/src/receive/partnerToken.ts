// The recipient's partner download token (a share that requires one): asked for
// once and kept for this tab only (sessionStorage), never in the URL or in
// localStorage, so closing the tab forgets it. A refused token is dropped.
const KEY = 'sealdrop.partnerToken';

export function storedPartnerToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the user is asked again
  }
}

export function storePartnerToken(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // kept in memory by the store for this page anyway
  }
}

export function forgetPartnerToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
