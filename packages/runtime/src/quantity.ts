/**
 * Kubernetes resource quantities as numbers: CPU in millicores, everything
 * else in base units. Hand-written (a dozen lines) because client-node does
 * not export its parser and no kept library does only this.
 */
const suffixes: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The quantity in base units ("1Gi" → 1073741824, "500m" → 0.5); throws on malformed input. */
export function parseQuantity(text: string): number {
  const match = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkKMGTPE]?)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a Kubernetes quantity (examples: 500m, 2, 4Gi)`);
  return Number(match[1]) * (suffixes[match[2] ?? ""] ?? 1);
}

/** CPU in millicores, rounded up as the scheduler does. */
export function milliCPU(text: string): number {
  return Math.ceil(parseQuantity(text) * 1000 - 1e-9);
}
