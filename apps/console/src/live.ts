import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api/client';
import { Poller } from './poller';

/** How often lists that change while looked at are read again. */
export const POLL_SECONDS = 5;

export interface Live<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  updatedAt: Date | undefined;
  reload: () => void;
}

/**
 * Reads `load` now and POLL_SECONDS after each read ends while the tab is visible (never two at once),
 * again at once whenever `deps` change (the read for the old ones is aborted: pass `signal` to the
 * API call). A failed read keeps the last data and says why; the next waits longer each time.
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], seconds = POLL_SECONDS): Live<T> {
  const [state, setState] = useState<Omit<Live<T>, 'reload'>>({ data: undefined, error: undefined, loading: true, updatedAt: undefined });
  const read = useCallback(load, deps);
  const poller = useRef<Poller<T> | undefined>(undefined);

  useEffect(() => {
    const current = new Poller<T>({
      read,
      seconds,
      visible: () => document.visibilityState === 'visible',
      onData: (data) => setState({ data, error: undefined, loading: false, updatedAt: new Date() }),
      onError: (err) => {
        const error = err instanceof ApiError ? err : new ApiError(0, 'Error', (err as Error).message);
        setState((last) => ({ ...last, error, loading: false }));
      },
    });
    poller.current = current;
    setState((last) => ({ ...last, loading: true }));
    current.now();
    return () => current.stop();
  }, [read, seconds]);

  // After a change made on the page: read now, not the answer of a read begun before it.
  const reload = useCallback(() => poller.current?.now(), []);
  return { ...state, reload };
}
