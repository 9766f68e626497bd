// The hub of the policy benchmark, in a process of its own so that its CPU
// and RSS are its own: a Manager on the management API running only the
// ClusterPolicy controllers (registerClusterPolicies: each Cluster's
// ClusterSync and each policy's aggregated status), with informers for
// Clusters and Projects. Nothing else of the operator runs: the Clusters
// have no control planes, and the agents' identities are made by the
// benchmark (see identities.ts).
// Settings from the environment: POLICY_BENCH_KUBECONFIG (a file),
// POLICY_BENCH_LOG_LEVEL. Logs go to stdout. Sends "ready" over IPC once
// its controllers run (or logs why not and exits); stops on SIGTERM, SIGINT or when the parent goes away.
import { KubeConfig } from "@kubernetes/client-node";
import type { Cluster, Project } from "@seedbed/api";
import { createLogger, Manager } from "@seedbed/runtime";
import type { LevelWithSilent } from "pino";
import { clusterKindRef } from "../../packages/operator/src/reconcilers/cluster/kinds.ts";
import { registerClusterPolicies } from "../../packages/operator/src/reconcilers/clusterpolicy/register.ts";
import { projectKindRef } from "../../packages/operator/src/reconcilers/project/kinds.ts";
import type { FromHub } from "./protocol.ts";

const send = (message: FromHub): void => void process.send?.(message);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(process.env.POLICY_BENCH_KUBECONFIG ?? "");
const manager = new Manager({ kubeConfig, logger: createLogger({ name: "policy-bench-hub", level: (process.env.POLICY_BENCH_LOG_LEVEL ?? "warn") as LevelWithSilent }) });
registerClusterPolicies(manager, {
  clusters: manager.informers.informerFor<Cluster>(clusterKindRef),
  projects: manager.informers.informerFor<Project>(projectKindRef),
});

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(code), 15_000).unref();
  await manager.stop();
  process.exit(code);
}
process.once("SIGTERM", () => void stop(0));
process.once("SIGINT", () => void stop(130));
process.on("disconnect", () => void stop(1));

try {
  await manager.start();
  send({ type: "ready" });
} catch (error) {
  process.stdout.write(`The hub could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}
