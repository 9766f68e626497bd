const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go-style duration as the CRD schema admits it ("5m", "1h30m", "500ms") in milliseconds. */
export function durationMs(text: string): number {
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!match) throw new Error(`"${text}" is not a duration (examples: 30s, 5m, 1h30m)`);
    total += Number(match[1]) * (units[match[2] ?? ""] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return total;
}
