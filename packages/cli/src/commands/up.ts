import { copyFileSync, mkdirSync, symlinkSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startOperator, type Operator } from "@seedbed/operator";
import { createLogger } from "@seedbed/runtime";
import pino from "pino";
import { binaryPath } from "@seedbed/binaries";
import { startStandaloneControlPlane, type StandaloneControlPlane } from "@seedbed/controlplane";
import { managementKubeconfigPath, seedbedHome } from "../home.ts";
import { bootstrapManagementAPI } from "../up/bootstrap.ts";
import { claimPidFile } from "../up/pidfile.ts";
import { managementPorts } from "../up/ports.ts";

/** Where `seedbed up` reports to; a stream so tests and scripts can read it. */
export interface UpOptions {
  readonly out?: NodeJS.WritableStream;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts the platform in the foreground: the management etcd,
 * kube-apiserver and kube-controller-manager as local processes under
 * $SEEDBED_HOME, the CRDs, the default project and local Seed, and every
 * controller in this process. SIGINT or SIGTERM stops every child (tenant
 * control planes included); running it again brings every cluster back.
 */
export async function up(options: UpOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const home = seedbedHome(options.env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const releasePidFile = claimPidFile(home);
  const began = performance.now();
  let plane: StandaloneControlPlane;
  try {
    plane = await startStandaloneControlPlane({
      dir: join(home, "management"),
      ports: await managementPorts(home, options.env),
      controllerManager: true,
      // Restarted when they crash; adopted, not started twice, after
      // `seedbed up` itself was killed.
      supervise: { markerPrefix: `seedbed:${home}/management` },
    });
  } catch (error) {
    releasePidFile();
    throw error;
  }
  const kubeconfig = managementKubeconfigPath(home);
  copyFileSync(plane.kubeconfigPath, kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  let operator: Operator;
  try {
    await bootstrapManagementAPI(kc);
    // Every controller in this process; their logs go to a file, the terminal stays readable.
    const logFile = join(home, "logs", "operator.log");
    mkdirSync(dirname(logFile), { recursive: true });
    operator = await startOperator({ kubeConfig: kc, stateDir: home, logger: createLogger({ destination: pino.destination({ dest: logFile, mkdir: true, sync: false }) }) });
  } catch (error) {
    await plane.stop();
    releasePidFile();
    throw error;
  }
  const binDir = linkTools(home);
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  out.write(
    [
      `Seedbed is up (${seconds} s). Management API: ${plane.server}`,
      ``,
      `  export KUBECONFIG=${kubeconfig}`,
      `  export PATH=${binDir}:$PATH   # the pinned kubectl`,
      `  kubectl get namespaces`,
      ``,
      `Create a cluster and use it:`,
      ``,
      `  npx seedbed cluster create demo --wait`,
      `  npx seedbed kubeconfig demo > demo.kubeconfig`,
      `  kubectl --kubeconfig demo.kubeconfig get namespaces`,
      ``,
      `State: ${home} (logs in ${join(home, "logs")} and ${join(plane.dir, "logs")}). Ctrl-C stops everything; make up brings it back.`,
      ``,
    ].join("\n"),
  );

  // Adopted processes are not our children, their exit is noticed by an
  // unref'd poll, and signal handlers hold no handle: without this timer,
  // Node could find nothing left to wait for, while waiting or stopping.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const code = await untilStopped(out);
  // Controllers first, so nothing restarts what is being stopped; then
  // every cluster's processes; the management plane last.
  await operator.stop();
  await plane.stop();
  releasePidFile();
  clearInterval(keepAlive);
  out.write("Seedbed stopped.\n");
  return code;
}

/** Resolves with 0 on SIGINT or SIGTERM. */
function untilStopped(out: NodeJS.WritableStream): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      out.write(`\n${signal}: stopping every component…\n`);
      resolve(0);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
}

/** $SEEDBED_HOME/bin/kubectl → the pinned kubectl, for the commands printed above. */
function linkTools(home: string): string {
  const dir = join(home, "bin");
  mkdirSync(dir, { recursive: true });
  const link = join(dir, "kubectl");
  rmSync(link, { force: true });
  symlinkSync(binaryPath("kubectl"), link);
  return dir;
}
