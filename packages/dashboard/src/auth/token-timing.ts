// When to refresh the ID token: pure, so it is tested without clocks.

/** Refresh this long before the ID token's exp, so no request goes out with a token about to lapse. */
export const refreshLeadSeconds = 60;

/** Milliseconds from now until the ID token should be refreshed (0 when that time has passed). */
export function refreshDelayMs(expiresAtSeconds: number, nowMs: number, leadSeconds: number = refreshLeadSeconds): number {
  return Math.max(0, expiresAtSeconds * 1000 - leadSeconds * 1000 - nowMs);
}

/** Whether the ID token is inside its refresh window (or past its exp). */
export function needsRefresh(expiresAtSeconds: number, nowMs: number, leadSeconds: number = refreshLeadSeconds): boolean {
  return refreshDelayMs(expiresAtSeconds, nowMs, leadSeconds) === 0;
}

/** setTimeout cannot wait longer than 2^31-1 ms; a longer delay would fire at once. */
export const maxTimerMs = 2_147_483_647;

/** A delay setTimeout can take. */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), maxTimerMs);
}
