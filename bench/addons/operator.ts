// The operator of the add-ons benchmark, in a process of its own so that
// its CPU and RSS are its own: the local driver (state in
// ADDONS_STATE_DIR, no fsync) with the platform's default add-ons (CoreDNS),
// serving /metrics and /readyz on 127.0.0.1:ADDONS_METRICS_PORT.
// Settings come from the environment: ADDONS_KUBECONFIG (a file),
// ADDONS_STATE_DIR, ADDONS_METRICS_PORT, ADDONS_LOG_LEVEL. Logs go to
// stdout; SIGTERM stops it with its control planes.
import { KubeConfig } from "@kubernetes/client-node";
import { startOperator } from "@seedbed/operator";
import { createLogger } from "@seedbed/runtime";
import type { LevelWithSilent } from "pino";

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(process.env.ADDONS_KUBECONFIG ?? "");
const operator = await startOperator({
  kubeConfig,
  stateDir: process.env.ADDONS_STATE_DIR ?? "",
  unsafeNoFsync: true,
  metricsPort: Number(process.env.ADDONS_METRICS_PORT),
  metricsHost: "127.0.0.1",
  logger: createLogger({ level: (process.env.ADDONS_LOG_LEVEL ?? "warn") as LevelWithSilent }),
});
await new Promise<void>((resolve) => {
  process.once("SIGTERM", () => resolve());
  process.once("SIGINT", () => resolve());
});
await operator.stop();
process.exit(0);
