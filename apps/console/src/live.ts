import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api/client';

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
 * Reads `load` now and every POLL_SECONDS while the tab is visible, again whenever `deps`
 * change. A failed read keeps the last data and says why; the next one may succeed.
 */
export function usePolling<T>(load: () => Promise<T>, deps: unknown[], seconds = POLL_SECONDS): Live<T> {
  const [state, setState] = useState<Omit<Live<T>, 'reload'>>({ data: undefined, error: undefined, loading: true, updatedAt: undefined });
  const generation = useRef(0);
  const read = useCallback(load, deps);

  const run = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const data = await read();
      if (mine === generation.current) setState({ data, error: undefined, loading: false, updatedAt: new Date() });
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError(0, 'Error', (err as Error).message);
      if (mine === generation.current) setState((last) => ({ ...last, error, loading: false }));
    }
  }, [read]);

  useEffect(() => {
    setState((last) => ({ ...last, loading: true }));
    void run();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void run();
    }, seconds * 1000);
    return () => {
      window.clearInterval(timer);
      generation.current++;
    };
  }, [run, seconds]);

  return { ...state, reload: () => void run() };
}
