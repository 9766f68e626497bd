/** How long a certificate is valid. */
export interface Validity {
  readonly days: number;
}

/**
 * Backdating notBefore absorbs small clock differences between the machine
 * that signs and the component that verifies.
 */
const clockSkewMs = 5 * 60 * 1000;

/** The notBefore / notAfter pair of a certificate issued at `now`. */
export function validityWindow(validity: Validity, now: Date = new Date()): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(validity.days) || validity.days <= 0) {
    throw new Error(`validity.days must be a positive number of days, got ${validity.days}`);
  }
  return {
    notBefore: new Date(now.getTime() - clockSkewMs),
    notAfter: new Date(now.getTime() + validity.days * 24 * 60 * 60 * 1000),
  };
}
