// One admin form action at a time: busy while it runs, its error or its result
// message afterwards, and the dashboard's queries refreshed when it succeeds.
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ADMIN_KEY } from './context.ts';
import { errorMessage } from './errors.ts';

export function useAction() {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');

  /** Runs `action`; its result (a message) becomes the status. Resolves true on success. */
  const run = async (action: () => Promise<string>, refresh: unknown[] = [ADMIN_KEY]): Promise<boolean> => {
    setBusy(true);
    setError('');
    setStatus('');
    try {
      setStatus(await action());
      await queryClient.invalidateQueries({ queryKey: refresh });
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, status, setError, run };
}
