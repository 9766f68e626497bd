/** How long a certificate is valid, in days (a fraction for shorter lives: a minute is 1/1440). */
export interface Validity {
  readonly days: number;
}

/** A validity of so many milliseconds. */
export function validityOf(ms: number): Validity {
  return { days: ms / 86_400_000 };
}

/**
 * Backdating notBefore absorbs small clock differences between the machine
 * that signs and the component that verifies.
 */
export const clockSkewMs = 5 * 60 * 1000;

/** The notBefore / notAfter pair of a certificate issued at `now`. */
export function validityWindow(validity: Validity, now: Date = new Date(), notLaterThan?: Date): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(validity.days) || validity.days <= 0) {
    throw new Error(`validity.days must be a positive number of days, got ${validity.days}`);
  }
  const notAfter = now.getTime() + validity.days * 24 * 60 * 60 * 1000;
  // A leaf never outlives the CA that signs it: verifiers would refuse it from then on anyway.
  return {
    notBefore: new Date(now.getTime() - clockSkewMs),
    notAfter: new Date(notLaterThan === undefined ? notAfter : Math.min(notAfter, notLaterThan.getTime())),
  };
}
