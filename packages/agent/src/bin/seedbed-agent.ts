#!/usr/bin/env node
// The policy agent of one cluster, as a process: `seedbed-agent --help` prints its flags.
import { KubeConfig } from "@kubernetes/client-node";
import { describeError, createLogger } from "@seedbed/runtime";
import { PolicyAgent } from "../agent.ts";
import { parseAgentArgs, usage, type AgentArgs } from "./args.ts";

let args: AgentArgs;
try {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  args = parseAgentArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`seedbed-agent: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exit(2);
}

const logger = createLogger({ name: "seedbed-agent", level: args.logLevel });
let agent: PolicyAgent;
try {
  // Both files must load now: a broken file is a usage error, not something to retry.
  for (const [flag, file] of [["--management-kubeconfig", args.managementKubeConfig], ["--tenant-kubeconfig", args.tenantKubeConfig]] as const) {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (error) {
      throw new Error(`${flag} ${file} is not a kubeconfig: ${(error instanceof Error ? error.message : String(error)).split("\n")[0] ?? ""}`, { cause: error });
    }
    if (!kc.getCurrentCluster()) throw new Error(`${flag} ${file} has no current context with a cluster`);
  }
  agent = new PolicyAgent({ managementKubeConfigFile: args.managementKubeConfig, tenantKubeConfig: args.tenantKubeConfig, namespace: args.namespace, cluster: args.cluster, logger });
} catch (error) {
  process.stderr.write(`seedbed-agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

const state = { stopping: false };
const stop = (signal: NodeJS.Signals): void => {
  if (state.stopping) return;
  state.stopping = true;
  logger.info({ signal }, "Stopping");
  agent.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ error: describeError(error) }, "Stop failed");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

try {
  await agent.start();
} catch (error) {
  // A stop during start-up makes start() fail: that is the stop's to finish.
  if (!state.stopping) {
    logger.error({ error: describeError(error) }, "The agent could not start");
    process.exit(1);
  }
}
