import { useState } from "react";

/** An action a button starts: whether it runs, and its last error (shown in words by the caller). */
export interface Action {
  busy: boolean;
  error: unknown;
  /** Runs `work` unless an action runs already; the error is kept, not thrown. */
  run: (work: () => Promise<unknown>) => Promise<void>;
  clear: () => void;
}

/** Tracks one action of a section. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  return {
    busy,
    error,
    run: async (work) => {
      if (busy) return;
      setBusy(true);
      setError(undefined);
      try {
        await work();
      } catch (failure) {
        setError(failure);
      } finally {
        setBusy(false);
      }
    },
    clear: () => setError(undefined),
  };
}
