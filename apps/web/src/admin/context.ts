// The signed-in admin client, handed down to every dashboard view.
import { createContext, useContext } from 'react';
import type { SealdropClient } from '@sealdrop/shared';

export type AdminApi = ReturnType<SealdropClient['admin']>;

export const AdminContext = createContext<{ admin: AdminApi; signOut: () => void } | null>(null);

export function useAdmin() {
  const v = useContext(AdminContext);
  if (!v) throw new Error('useAdmin outside the admin dashboard');
  return v;
}

/** Every admin query key starts with this, so signing out can drop them all. */
export const ADMIN_KEY = 'admin';
