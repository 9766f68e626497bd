/** The `q` quantile (0 < q ≤ 1) of sorted values by nearest rank: the smallest value with at least q of them at or below it. */
export function nearestRank(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
}
