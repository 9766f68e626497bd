// The messages between the policy benchmark and its child processes (IPC):
// the agent workers (worker.ts) and the hub (hub.ts).
import type { AgentCounts } from "./figures.ts";

/** One agent a worker is to run. */
export interface AgentSpec {
  readonly cluster: string;
  /** Its ServiceAccount token's kubeconfig (0600). */
  readonly managementKubeConfigFile: string;
  /** The admin kubeconfig of the tenant API server it shares. */
  readonly tenantKubeConfigFile: string;
}

/** From the benchmark to a worker. */
export type ToWorker =
  | { readonly type: "start"; readonly namespace: string; readonly debounceMs?: number; readonly agents: readonly AgentSpec[] }
  | { readonly type: "stats" }
  | { readonly type: "stop" };

/** From a worker to the benchmark. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "started"; readonly ms: number; readonly failed: number; readonly failures: readonly string[] }
  | { readonly type: "stats"; readonly rssMiB: number; readonly heapUsedMiB: number; readonly agents: readonly (AgentCounts & { readonly cluster: string })[] }
  | { readonly type: "stopped" };

/** From the hub to the benchmark. */
export type FromHub = { readonly type: "ready" };
