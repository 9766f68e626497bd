// The agent of one local machine: `node agent.ts <machine directory>`.
// It does what cloud-init and systemd do on a cloud machine — writes the
// user data's files and starts the kubelet and kube-proxy from their units —
// with the machine's own containerd in a network namespace of its own
// (startRealNode). It runs detached from the operator, as a cloud machine
// outlives it, until the machine has joined; SIGTERM before that stops the
// machine and removes everything it made. Once joined it exits and leaves
// the machine running (provider.ts clears it when it is deleted).
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readStartTime } from "@seedbed/controlplane";
import { parse } from "yaml";
import { startRealNode, type RealNode } from "../real-node.ts";
import { parseCloudConfig } from "./cloud-config.ts";
import { planMachine } from "./plan.ts";
import { machineFiles, machineNodeDirPrefix, readMachineRecord, writeMachineState } from "./records.ts";

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write("usage: agent.ts <machine directory>\n");
  process.exit(2);
}
const record = readMachineRecord(dir);
if (record === undefined) {
  process.stderr.write(`no machine record in ${dir}\n`);
  process.exit(2);
}

let node: RealNode | undefined;
let stopping: Promise<void> | undefined;
const report = (phase: "Joining" | "Running" | "Failed", message?: string): void =>
  writeMachineState(dir, { phase, pid: process.pid, ...(message === undefined ? {} : { message }), ...(node ? { address: node.address } : {}) });
const log = (line: string): void => void process.stdout.write(`${new Date().toISOString()} ${line}\n`);

const stop = (): Promise<void> => {
  stopping ??= (async () => {
    log("stopping the machine");
    try {
      await node?.stop();
    } catch (error) {
      log(`teardown: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
    log("stopped");
  })();
  return stopping;
};
process.on("SIGTERM", () => void stop().then(() => process.exit()));
process.on("SIGINT", () => void stop().then(() => process.exit()));

try {
  const root = join(dir, machineFiles.root);
  const plan = planMachine(parseCloudConfig(readFileSync(join(dir, machineFiles.userData), "utf8")), root);
  for (const file of plan.files) {
    mkdirSync(dirname(file.path), { recursive: true, mode: 0o755 });
    writeFileSync(file.path, file.content, { mode: file.mode });
    chmodSync(file.path, file.mode);
  }
  const rooted = (path: string): string => join(root, path);
  const kubeletConfiguration = parse(readFileSync(plan.kubelet.config, "utf8")) as Record<string, unknown> & { authentication?: { x509?: { clientCAFile?: string } } };
  const clientCAFile = kubeletConfiguration.authentication?.x509?.clientCAFile;
  if (clientCAFile === undefined) throw new Error("user data: the KubeletConfiguration names no authentication.x509.clientCAFile");
  const proxy = plan.kubeProxy === undefined ? undefined : (parse(readFileSync(plan.kubeProxy.config, "utf8")) as { clusterCIDR?: string; clientConnection?: { kubeconfig?: string } });
  log(`starting machine ${record.name} of pool ${record.pool.namespace}/${record.pool.name} (kubelet ${record.kubernetesVersion})`);
  report("Joining");
  // The node's own directory is short, under the temporary directory: the
  // kubelet's and containerd's Unix sockets go below it, and a socket path
  // has at most 107 bytes. Recorded first, so the provider can clear it.
  const nodeDir = mkdtempSync(join(tmpdir(), machineNodeDirPrefix));
  writeFileSync(join(dir, machineFiles.nodeDir), nodeDir);
  node = await startRealNode({
    name: record.name,
    dir: nodeDir,
    kubernetesVersion: record.kubernetesVersion,
    join: {
      bootstrapKubeconfig: plan.kubelet.bootstrapKubeconfig,
      kubeconfig: plan.kubelet.kubeconfig,
      clientCAFile: rooted(clientCAFile),
      kubeletConfiguration,
      kubeletArgs: plan.kubelet.args,
      ...(proxy?.clusterCIDR !== undefined && proxy.clientConnection?.kubeconfig !== undefined ? { kubeProxy: { clusterCIDR: proxy.clusterCIDR, kubeconfig: rooted(proxy.clientConnection.kubeconfig) } } : {}),
    },
  });
  report("Joining");
  log(`kubelet up at ${node.address}; waiting for its certificate and pod range`);
  await node.joined;
  // The agent's work is done: the machine runs on without it, as a booted
  // cloud machine runs without cloud-init (a Node process here would cost
  // each machine about 110 MiB). From now on the provider watches its
  // containerd and clears the machine from outside when it is deleted.
  const containerd = node.pids().get("containerd") ?? 0;
  writeMachineState(dir, { phase: "Running", pid: process.pid, address: node.address, containerd: { pid: containerd, startTime: readStartTime(containerd) ?? "" } });
  log("joined; the machine runs on without its agent");
  node.release();
  process.exit(0);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  log(`failed: ${message}`);
  // The first lines say what happened; the logs follow in agent.log.
  report("Failed", message.split("\n").slice(0, 2).join("\n").slice(0, 1000));
  if (stopping === undefined) {
    await stop();
    process.exit(1);
  }
}
