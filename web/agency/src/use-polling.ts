import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  /** Fetches now (after a change the operator made), without waiting for the next tick. */
  refresh: () => void;
}

/**
 * Calls `load` now and every `intervalMs`, one call at a time (a slow answer is never overtaken by an older
 * one); keeps the last data when a call fails, with the error beside it.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const loadRef = useRef(load);
  loadRef.current = load;
  const running = useRef(false);
  const again = useRef(false);
  const alive = useRef(true);

  const tick = useCallback(async () => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    try {
      do {
        again.current = false;
        try {
          const value = await loadRef.current();
          if (!alive.current) return;
          setData(value);
          setError(undefined);
        } catch (e) {
          if (alive.current) setError(e);
        }
      } while (again.current && alive.current);
    } finally {
      running.current = false;
    }
  }, []);

  useEffect(() => {
    alive.current = true;
    void tick();
    const timer = setInterval(() => void tick(), intervalMs);
    return () => {
      alive.current = false;
      clearInterval(timer);
    };
  }, [tick, intervalMs]);

  return { data, error, refresh: () => void tick() };
}
