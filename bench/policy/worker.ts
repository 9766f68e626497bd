// One agent worker of the policy benchmark: a child process (IPC) that runs
// the PolicyAgents it is sent, each with its own management kubeconfig (its
// ServiceAccount's token) and its tenant's admin kubeconfig, and answers
// for its RSS and its agents' stats. A worker sent no agent is the baseline
// the agents' memory is measured against: it has loaded the same code.
// It stops its agents and exits on "stop", SIGTERM, SIGINT, or when the
// parent goes away (IPC disconnect), so nothing is left running.
import { createLogger } from "@seedbed/runtime";
import type { LevelWithSilent } from "pino";
import { PolicyAgent } from "../../packages/agent/src/index.ts";
import type { ToWorker, FromWorker } from "./protocol.ts";

const agents: { cluster: string; agent: PolicyAgent }[] = [];
const logger = createLogger({ name: "policy-bench-worker", level: (process.env.POLICY_BENCH_LOG_LEVEL ?? "warn") as LevelWithSilent });
let stopping: Promise<void> | undefined;

function send(message: FromWorker): void {
  process.send?.(message);
}

/** MiB of RSS and heap after a full collection (run with --expose-gc), so garbage is not counted as agents' memory. */
function memory(): { rssMiB: number; heapUsedMiB: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { rssMiB: usage.rss / 1024 / 1024, heapUsedMiB: usage.heapUsed / 1024 / 1024 };
}

async function startAgents(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  const began = performance.now();
  for (const spec of message.agents) {
    agents.push({
      cluster: spec.cluster,
      agent: new PolicyAgent({ managementKubeConfigFile: spec.managementKubeConfigFile, tenantKubeConfig: spec.tenantKubeConfigFile, namespace: message.namespace, cluster: spec.cluster, logger, debounceMs: message.debounceMs }),
    });
  }
  const results = await Promise.allSettled(agents.map((a) => a.agent.start()));
  const failures = results.flatMap((r, i) => (r.status === "rejected" ? [`${agents[i]?.cluster ?? "?"}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
  send({ type: "started", ms: Math.round(performance.now() - began), failures: failures.slice(0, 5), failed: failures.length });
}

function stopAll(): Promise<void> {
  stopping ??= Promise.allSettled(agents.map((a) => a.agent.stop())).then(() => undefined);
  return stopping;
}

async function stopAndExit(code: number): Promise<void> {
  // A stuck stop must not keep the process: the parent waits for this exit.
  setTimeout(() => process.exit(code), 15_000).unref();
  await stopAll();
  process.exit(code);
}

process.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "start":
      startAgents(message).catch((error: unknown) => send({ type: "started", ms: 0, failures: [error instanceof Error ? error.message : String(error)], failed: message.agents.length }));
      break;
    case "stats":
      send({ type: "stats", ...memory(), agents: agents.map((a) => ({ cluster: a.cluster, ...a.agent.stats() })) });
      break;
    case "stop":
      void stopAll().then(() => {
        send({ type: "stopped" });
        process.exit(0);
      });
      break;
  }
});
process.on("disconnect", () => void stopAndExit(1));
process.once("SIGTERM", () => void stopAndExit(0));
process.once("SIGINT", () => void stopAndExit(130));
send({ type: "ready" });
