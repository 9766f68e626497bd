import { useEffect, useState } from "react";

/** The time, ticking every `everyMs`, so "3 minutes ago" and "expires in 2 days" stay true. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
