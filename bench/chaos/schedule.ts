// The chaos benchmark's plan: which action each step takes and when the
// operator is killed after it, drawn from a seeded generator so that the
// same seed gives the same run. Pure: the plan depends only on its inputs,
// never on what the platform did.

/** What one step does to the platform before the operator is killed. */
export type ChaosAction =
  /** A new Cluster and its kwok NodePool (named `<cluster>-w`) at `replicas`. */
  | { readonly type: "create"; readonly cluster: string; readonly replicas: number }
  /** The cluster's pool to `replicas`. */
  | { readonly type: "scale"; readonly cluster: string; readonly replicas: number }
  /** The Cluster deleted (it deletes its pool first). */
  | { readonly type: "delete"; readonly cluster: string }
  /** Nothing: the kill lands on an operator at rest, or still adopting. */
  | { readonly type: "none" };

/** One step: an action, the operator SIGKILLed `killDelayMs` after it, then restarted. */
export interface ChaosStep {
  readonly action: ChaosAction;
  readonly killDelayMs: number;
  /** Wait for convergence after the restart (measured); false: the next step starts while the operator is still adopting. */
  readonly settle: boolean;
}

/** What shapes a plan. */
export interface ScheduleOptions {
  readonly seed: number;
  /** Steps, one kill each. */
  readonly kills: number;
  /** Clusters alive at once, at most. */
  readonly clusters: number;
  /** Largest pool size. */
  readonly maxReplicas: number;
  /** Longest wait between an action and the kill; short waits are drawn more often (the early phases are where state is half-written). */
  readonly maxKillDelayMs: number;
  /** Share of steps that do not wait for convergence (0–1); the last step always does. */
  readonly unsettledShare: number;
}

/** A small, well-mixed 32-bit generator (mulberry32): reproducible from its seed on any machine, unlike Math.random. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The plan of a run: `kills` steps, never more than `clusters` alive, scaling and deleting only clusters that exist. */
export function chaosSchedule(options: ScheduleOptions): ChaosStep[] {
  const random = seededRandom(options.seed);
  const int = (below: number): number => Math.floor(random() * below);
  const alive = new Map<string, number>(); // cluster → its pool's replicas
  let created = 0;
  const steps: ChaosStep[] = [];
  for (let i = 0; i < options.kills; i++) {
    const action = nextAction(alive.size, options.clusters, random());
    let step: ChaosAction;
    if (action === "create") {
      created++;
      step = { type: "create", cluster: `c${created}`, replicas: int(options.maxReplicas + 1) };
      alive.set(step.cluster, step.replicas);
    } else if (action === "scale" || action === "delete") {
      const names = [...alive.keys()];
      const cluster = names[int(names.length)] ?? "";
      if (action === "delete") {
        alive.delete(cluster);
        step = { type: "delete", cluster };
      } else {
        // Always a change: a scale to the same size would test nothing.
        const current = alive.get(cluster) ?? 0;
        const replicas = (current + 1 + int(options.maxReplicas)) % (options.maxReplicas + 1);
        alive.set(cluster, replicas);
        step = { type: "scale", cluster, replicas };
      }
    } else step = { type: "none" };
    const killDelayMs = Math.round(random() ** 2 * options.maxKillDelayMs);
    const settle = i === options.kills - 1 || random() >= options.unsettledShare;
    steps.push({ action: step, killDelayMs, settle });
  }
  return steps;
}

/** Which kind of action a step takes, from how many clusters are alive and one draw in [0, 1). */
export function nextAction(alive: number, max: number, draw: number): ChaosAction["type"] {
  if (alive === 0) return "create";
  // Weights: create 3, scale 4, delete 2, none 1; no create when full.
  const weights: [ChaosAction["type"], number][] = [["create", alive < max ? 3 : 0], ["scale", 4], ["delete", 2], ["none", 1]];
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  let at = draw * total;
  for (const [type, weight] of weights) {
    if (at < weight) return type;
    at -= weight;
  }
  return "none";
}

/** The q-quantile (0–1) of samples by the nearest-rank method; undefined without samples. */
export function quantile(samples: readonly number[], q: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
