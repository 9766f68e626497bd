/** metav1.Time's JSON form: RFC 3339 in UTC with whole seconds. */
export function formatTime(time: Date | number): string {
  return new Date(time).toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * metav1.MicroTime's JSON form: RFC 3339 with six fractional digits, which
 * Lease and events.k8s.io Event times require (milliseconds are refused).
 */
export function formatMicroTime(time: Date | number): string {
  return new Date(time).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
