// What ClusterPolicy sync costs and how fast it is, with P policies over C
// clusters (issue 20), in one run on real API servers:
// - A management API (real etcd and kube-apiserver, the CRDs, namespace
//   project-bench) holds C Clusters (paused, no control plane: the hub
//   needs only the objects and their labels), the first --selected-fraction
//   of them labelled so that every policy selects them. The hub (the
//   operator's registerClusterPolicies, nothing else of the operator) runs
//   in a child process and writes each Cluster's ClusterSync and each
//   policy's status.
// - Each selected cluster gets an agent identity made with the operator's
//   code (ServiceAccount, Role, RoleBinding, a TokenRequest token in a
//   kubeconfig file) and a PolicyAgent (the real agent code) in one of
//   --agent-processes worker processes, round-robin. Tenants: --tenant-servers
//   bare API servers shared by the agents round-robin — benchmark only, said
//   in the output (settings.tenantSharing) and on stderr. Agents sharing a
//   tenant apply the same objects (same field manager per policy) and
//   converge on identical objects: after the first, an agent often finds an
//   object already as wanted and writes nothing, so tenant writes are fewer
//   than with one tenant per agent; each agent still makes its own pass and
//   its own status write, which is what the latencies measure.
// - Each policy keeps a namespace (labelled), a Role and a RoleBinding.
// Measured (a watch on the ClusterSyncs records when each status first shows
// a policy InSync at a generation):
// 1. Initial sync: from creating the P policies until every ClusterSync shows
//    all P InSync at generation 1; per cluster p50/p99/max.
// 2. Change propagation: --changes times, one policy's namespace entry gets a
//    label; per cluster from the patch request to its status showing that
//    policy InSync at the new generation; samples pooled, p50/p99/max.
// 3. Management-API footprint per cluster: ClusterSync, ServiceAccount,
//    Role, RoleBinding read back with GET, bytes of their JSON with and
//    without managedFields; and the ClusterPolicy status size (bounded: it
//    must not grow with C).
// 4. Agent memory: (Σ worker RSS − K × RSS of a worker with no agent, which
//    loaded the same code) / agents, after a GC in each worker.
// 5. Idle: after --settle-seconds, a window of --quiet-seconds: requests per
//    agent per minute from the agents' stats() (watches not counted; target
//    0) and ClusterSync writes seen in the window (target 0).
// MemAvailable is checked before anything starts; a run that does not fit is
// refused, naming the flags to lower. Ctrl-C or an error stops every process
// the run started.
// Usage: npm run bench -- policy [--policies 20] [--clusters 200] [--selected-fraction 1] [--tenant-servers 4]
//   [--agent-processes 4] [--changes 3] [--quiet-seconds 30] [--settle-seconds 5] [--timeout-minutes 15]
//   [--debounce-ms 200] [--log-level warn]
import { parseArgs } from "node:util";
import { availableMiB } from "../density/measure.ts";
import { parseWholeNumber } from "../rotation/figures.ts";
import { logTail } from "./children.ts";
import { memoryNeededMiB, memoryShortfall } from "./figures.ts";
import { Platform } from "./platform.ts";
import { runBenchmark } from "./run.ts";

const { values } = parseArgs({
  options: {
    policies: { type: "string", default: "20" },
    clusters: { type: "string", default: "200" },
    "selected-fraction": { type: "string", default: "1" },
    "tenant-servers": { type: "string", default: "4" },
    "agent-processes": { type: "string", default: "4" },
    changes: { type: "string", default: "3" },
    "quiet-seconds": { type: "string", default: "30" },
    "settle-seconds": { type: "string", default: "5" },
    "timeout-minutes": { type: "string", default: "15" },
    "debounce-ms": { type: "string" },
    "log-level": { type: "string", default: "warn" },
  },
});
const log = (message: string): boolean => process.stderr.write(`[policy] ${message}\n`);
const policies = parseWholeNumber("policies", values.policies, 1);
const clusters = parseWholeNumber("clusters", values.clusters, 1);
const tenantServers = parseWholeNumber("tenant-servers", values["tenant-servers"], 1);
const agentProcesses = parseWholeNumber("agent-processes", values["agent-processes"], 1);
const selectedFraction = Number(values["selected-fraction"]);
if (!(selectedFraction > 0 && selectedFraction <= 1)) throw new Error(`--selected-fraction must be in (0, 1], got ${values["selected-fraction"]}`);
const options = {
  policies,
  clusters,
  selectedFraction,
  tenantServers,
  agentProcesses,
  changes: parseWholeNumber("changes", values.changes, 1),
  quietSeconds: parseWholeNumber("quiet-seconds", values["quiet-seconds"], 1),
  settleSeconds: parseWholeNumber("settle-seconds", values["settle-seconds"], 0),
  timeoutMs: parseWholeNumber("timeout-minutes", values["timeout-minutes"], 1) * 60_000,
  debounceMs: values["debounce-ms"] === undefined ? undefined : parseWholeNumber("debounce-ms", values["debounce-ms"], 0),
  logLevel: values["log-level"],
  log: (message: string): void => void log(message),
};

const shortfall = memoryShortfall(availableMiB(), { clusters, tenantServers, agentProcesses });
if (shortfall !== undefined) {
  log(shortfall);
  process.exit(2);
}

const platform = new Platform();
// Ctrl-C must leave no API server, hub or worker behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything`);
    void platform.stop().finally(() => process.exit(130));
  });
}

const began = performance.now();
log(`${String(policies)} policies × ${String(clusters)} clusters; agents share ${String(tenantServers)} tenant API server(s) (benchmark only: in production each cluster has its own)`);
let figures: Record<string, unknown>;
try {
  figures = await runBenchmark(platform, options);
} catch (error) {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  log(`hub log (last lines):\n${logTail(`${platform.workDir}/hub.log`)}`);
  log(`worker 0 log (last lines):\n${logTail(`${platform.workDir}/worker-0.log`)}`);
  await platform.stop();
  process.exit(1);
}
const left = await platform.stop();

console.log(
  JSON.stringify({
    benchmark: "policy",
    settings: {
      policies,
      clusters,
      selectedClusters: Math.min(clusters, Math.max(1, Math.ceil(clusters * selectedFraction))),
      agentProcesses,
      changes: options.changes,
      quietSeconds: options.quietSeconds,
      settleSeconds: options.settleSeconds,
      debounceMs: options.debounceMs ?? "agent default (200)",
      policy: "per policy: a namespace with labels, a Role in it, a RoleBinding of that Role; prune true",
      tenantSharing: {
        shared: tenantServers < clusters,
        tenantServers,
        agentsPerTenantServer: Math.ceil(clusters * selectedFraction / tenantServers),
        note: "benchmark only: several agents share one tenant API server (round-robin) and apply identical objects there, so after the first an agent often finds an object already as wanted and writes nothing; tenant writes are fewer than with one tenant per cluster, every agent still makes its own passes and status writes",
      },
      hub: "registerClusterPolicies alone, in a child process; the Cluster and policy-agent controllers are not run (identities made by the benchmark with the operator's AgentIdentity and TokenRequest code)",
      memoryCheck: `MemAvailable ≥ ${String(memoryNeededMiB({ clusters, tenantServers, agentProcesses }))} MiB`,
    },
    ...figures,
    targets: { idleRequestsPerAgentPerMinute: 0, idleClusterSyncWrites: 0, leftProcesses: 0 },
    leftProcesses: left,
    wallSeconds: Math.round((performance.now() - began) / 100) / 10,
  }),
);
process.exit(0);
