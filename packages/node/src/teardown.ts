import { execFile } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { isProcessAlive, type ManagedProcess } from "@seedbed/controlplane";
import { processesMentioning } from "./processes.ts";
import type { PodNetwork } from "./cni-config.ts";
import { removeCgroupRoot, removeCNICache, removeContainerLogLinks, removeEmptyHostDirs, unmountUnder } from "./host.ts";
import { nodeLayout, type NodeLayout } from "./layout.ts";
import { deleteNodeNamespace, type NodeNamespace } from "./netns.ts";
import type { SubnetReservation } from "./subnets.ts";

const run = promisify(execFile);

/**
 * What a node made on the machine outside its directory, written into the
 * directory as node.json when it starts: enough for a later run to clear a
 * node whose test process died without stopping it.
 */
export interface NodeRecord {
  readonly ownerPid: number;
  readonly network: PodNetwork;
  /** The node's network namespace: its bridge, pods' interfaces and iptables rules go with it. */
  readonly namespace: NodeNamespace;
  readonly cgroupRoot: string;
  /** net.ipv4.ip_forward before the node started; nodes turn it on, traffic between them passes the machine. */
  readonly ipForward: string;
}

/** Directories of nodes start with this under the temporary directory. */
export const nodeDirPrefix = "seedbed-node-";

/** Records what the node is about to make, before it makes any of it. */
export function writeNodeRecord(layout: NodeLayout, record: NodeRecord): void {
  writeFileSync(join(layout.dir, "node.json"), JSON.stringify(record));
}

/** What stopping a running node needs. */
export interface TeardownInput {
  readonly layout: NodeLayout;
  readonly record: NodeRecord;
  readonly processes: ReadonlyMap<string, ManagedProcess>;
  readonly criClean: string;
  readonly subnet: SubnetReservation | undefined;
}

/**
 * Every step runs even when an earlier one failed; the errors are reported
 * together at the end. The order matters: the pods go through the CRI while
 * containerd still runs (so CNI DEL frees their addresses and rules), and
 * mounts go only once no process holds them.
 */
export async function tearDown(input: TeardownInput): Promise<void> {
  const { layout, processes } = input;
  const errors: string[] = [];
  const step = stepper(errors);
  // The policy agent first: it removes its nftables table on SIGTERM (the namespace's deletion would anyway).
  await step("stopping kube-network-policies", () => processes.get("kube-network-policies")?.stop(7000));
  await step("stopping kube-proxy", () => processes.get("kube-proxy")?.stop(5000));
  await step("stopping the kubelet", () => processes.get("kubelet")?.stop(5000));
  const containerd = processes.get("containerd");
  if (containerd && !containerd.exitStatus) await step("removing the pods", () => removePods(layout, input.criClean));
  await step("stopping containerd", () => containerd?.stop(10_000));
  await clearHost(layout, input.record, step);
  input.subnet?.release();
  if (errors.length > 0) throw new Error(`the node in ${layout.dir} was not fully removed:\n- ${errors.join("\n- ")}`);
}

/** Runs cri-clean: every pod sandbox stopped (CNI DEL) and removed through the CRI. */
async function removePods(layout: NodeLayout, criClean: string): Promise<void> {
  const log = join(layout.logDir, "cri-clean.log");
  try {
    const { stdout, stderr } = await run(criClean, [`--runtime-endpoint=unix://${layout.containerd.socket}`, "--timeout=60s"], { timeout: 70_000 });
    writeFileSync(log, `${stdout}${stderr}`);
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    writeFileSync(log, `${stdout}${stderr}`);
    throw new Error(`cri-clean failed: ${stderr.trim() || String(error)}`);
  }
}

type Step = (what: string, action: () => unknown) => Promise<void>;

function stepper(errors: string[]): Step {
  return async (what, action) => {
    try {
      await action();
    } catch (error) {
      errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

/**
 * Removes what the node left once its kubelet and containerd are gone:
 * leftover processes (shims are their own process groups), cgroups,
 * mounts, the network namespace (with the bridge, the veth pair, the
 * routes and iptables rules in it), log links, the CNI cache, the
 * directory. Each step is safe to repeat.
 */
async function clearHost(layout: NodeLayout, record: NodeRecord, step: Step): Promise<void> {
  const { network } = record;
  await step("killing what is left", () => {
    for (const found of processesMentioning(layout.dir)) process.kill(found.pid, "SIGKILL");
  });
  await step("removing the cgroups", () => removeCgroupRoot(record.cgroupRoot.slice(1)));
  await step("unmounting", () => unmountUnder(layout.dir));
  await step("deleting the network namespace", () => deleteNodeNamespace(record.namespace));
  await step("removing container log links", () => removeContainerLogLinks(layout.kubelet.podLogsDir));
  await step("removing the CNI cache", () => removeCNICache(network.name, layout.dir));
  await step("removing the directory", () => rmSync(layout.dir, { recursive: true, force: true }));
  // Shared state goes back only when no other Seedbed node still needs it.
  if (liveNodes(dirname(layout.dir)).some((dir) => dir !== layout.dir)) return;
  await step("restoring ip_forward", () => {
    if (record.ipForward === "0") writeFileSync(ipForwardFile, "0");
  });
  await step("removing empty host directories", removeEmptyHostDirs);
}

/** Directories of nodes whose owner process still runs. */
function liveNodes(parent: string): string[] {
  return nodeRecords(parent)
    .filter(({ record }) => isProcessAlive(record.ownerPid))
    .map(({ dir }) => dir);
}

function nodeRecords(parent: string): { dir: string; record: NodeRecord }[] {
  const found: { dir: string; record: NodeRecord }[] = [];
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(nodeDirPrefix)) continue;
    try {
      found.push({ dir: join(parent, name), record: JSON.parse(readFileSync(join(parent, name, "node.json"), "utf8")) as NodeRecord });
    } catch {
      // still being made, or not a node
    }
  }
  return found;
}

/**
 * Clears every node whose test process died without stopping it (its
 * node.json names a pid that is gone). Called when a node starts, so a
 * killed run costs the machine nothing for long.
 */
export async function sweepAbandonedNodes(parent = tmpdir()): Promise<string[]> {
  const swept: string[] = [];
  for (const { dir, record } of nodeRecords(parent)) {
    if (isProcessAlive(record.ownerPid)) continue;
    const errors: string[] = [];
    await clearHost(nodeLayout(dir), record, stepper(errors));
    if (errors.length > 0) process.stderr.write(`[seedbed/testing] clearing the abandoned node ${dir}: ${errors.join("; ")}\n`);
    swept.push(dir);
  }
  return swept;
}

/**
 * Clears the node in a directory of its own (startRealNode's `dir`) whose
 * owner died without stopping it: its processes, cgroups, mounts, network
 * namespace and the directory. A directory without a node record is just
 * removed; one whose owner still runs is refused, unless the caller says
 * the owner is gone.
 */
export async function clearAbandonedNode(dir: string, options: { readonly ownerGone?: boolean } = {}): Promise<void> {
  let record: NodeRecord;
  try {
    record = JSON.parse(readFileSync(join(dir, "node.json"), "utf8")) as NodeRecord;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  // `ownerGone`: the caller knows the owner exited (its pid may have been reused since).
  if (options.ownerGone !== true && isProcessAlive(record.ownerPid)) throw new Error(`the node in ${dir} still belongs to process ${record.ownerPid}; stop that first`);
  const errors: string[] = [];
  await clearHost(nodeLayout(dir), record, stepper(errors));
  if (errors.length > 0) throw new Error(`the node in ${dir} was not fully removed:\n- ${errors.join("\n- ")}`);
}

const ipForwardFile = "/proc/sys/net/ipv4/ip_forward";

/** net.ipv4.ip_forward now ("0" or "1"). */
export function readIPForward(): string {
  return readFileSync(ipForwardFile, "utf8").trim();
}
