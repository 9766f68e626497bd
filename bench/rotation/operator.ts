// The operator of the rotation benchmark, in a process of its own (so that
// its CPU and RSS are its own): `seedbed operator` offers no flag for the
// two waits a CA rotation takes, which the benchmark shortens. One process
// hosts both seeds: the kwok seed through the kubernetes driver and the
// local Seed through the local driver (state under ROTATION_STATE_DIR).
// Settings come from the environment: ROTATION_KUBECONFIG (a file),
// ROTATION_STATE_DIR, ROTATION_TOKEN_LIFETIME_MS, ROTATION_SECRET_PROPAGATION_MS,
// ROTATION_LOG_LEVEL. Logs go to stdout; SIGTERM stops it with its control planes.
import { KubeConfig } from "@kubernetes/client-node";
import { startOperator } from "@seedbed/operator";
import { createLogger } from "@seedbed/runtime";
import type { LevelWithSilent } from "pino";

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(process.env.ROTATION_KUBECONFIG ?? "");
const operator = await startOperator({
  kubeConfig,
  stateDir: process.env.ROTATION_STATE_DIR ?? "",
  unsafeNoFsync: true,
  logger: createLogger({ level: (process.env.ROTATION_LOG_LEVEL ?? "warn") as LevelWithSilent }),
  tokenLifetimeMs: Number(process.env.ROTATION_TOKEN_LIFETIME_MS),
  secretPropagationMs: Number(process.env.ROTATION_SECRET_PROPAGATION_MS),
});
await new Promise<void>((resolve) => {
  process.once("SIGTERM", () => resolve());
  process.once("SIGINT", () => resolve());
});
await operator.stop();
process.exit(0);
