// The admin token for this tab: kept in sessionStorage (gone when the tab closes),
// sent only in the Authorization header as `Bearer`. Never in a URL, never logged.
import { useSyncExternalStore } from 'react';

const KEY = 'sealdrop.adminToken';
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return memory;
  }
}
// Fallback when sessionStorage is unavailable (some privacy modes): memory only.
let memory: string | null = null;

export function setAdminToken(token: string | null): void {
  memory = token;
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // memory only
  }
  for (const fn of listeners) fn();
}

export function useAdminToken(): string | null {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    read,
  );
}
