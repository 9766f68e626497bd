import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";

/**
 * A node's own network namespace, joined to this machine by a veth pair:
 * the node sees one interface (eth0) with its own address, its bridge and
 * pods behind it, its own iptables (kube-proxy's rules, the CNI's NAT) and
 * its own ports, so several nodes — and their kube-proxies — run on one
 * machine without touching each other or the machine's own rules.
 */
export interface NodeNamespace {
  /** The namespace, as `ip netns` names it (/run/netns/<name>). */
  readonly name: string;
  /** The machine's end of the veth pair. */
  readonly hostLink: string;
  /** The machine's address on the link: the node's default gateway. */
  readonly hostAddress: string;
  /** The node's address (its InternalIP): the machine reaches the kubelet, NodePorts and pods through it. */
  readonly nodeAddress: string;
  /** The node's pod subnet, routed from the machine to the node. */
  readonly podSubnet: string;
}

/**
 * The namespace of a node with pod subnet 10.242.N.0/24: its link is
 * 10.243.N.0/30 (machine .1, node .2), so one reservation (the pod
 * subnet's) keeps both apart from every other node's.
 */
export function nodeNamespace(id: string, podSubnet: string): NodeNamespace {
  const match = /^10\.242\.(\d{1,3})\.0\/24$/.exec(podSubnet);
  if (!match) throw new Error(`pod subnet ${podSubnet}: a node's pod subnet is 10.242.N.0/24`);
  const n = match[1] ?? "";
  const hostLink = `sbh-${id}`;
  if (hostLink.length > 15) throw new Error(`interface "${hostLink}": Linux interface names have at most 15 characters`);
  return { name: `sbn-${id}`, hostLink, hostAddress: `10.243.${n}.1`, nodeAddress: `10.243.${n}.2`, podSubnet };
}

/** The interface of the node inside its namespace. */
export const nodeInterface = "eth0";

/** The file a namespace is held open by, which nsenter enters. */
export function namespacePath(ns: Pick<NodeNamespace, "name">): string {
  return `/run/netns/${ns.name}`;
}

/** A command that runs `command` inside the namespace (only the network namespace: mounts stay the machine's, as the kubelet needs). */
export function inNamespace(ns: Pick<NodeNamespace, "name">, command: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: "nsenter", args: [`--net=${namespacePath(ns)}`, "--", command, ...args] };
}

/**
 * Creates the namespace, the veth pair and the routes. Forwarding is on in
 * the namespace (pods leave through eth0), and bridged traffic passes
 * iptables there, so that a pod reaching a Service backed by a pod on the
 * same bridge is NATed back (kube-proxy's rules see it).
 */
export function createNodeNamespace(ns: NodeNamespace, options: { readonly routePodSubnet?: boolean } = {}): void {
  const ip = (...args: string[]): void => void execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
  ip("netns", "add", ns.name);
  ip("link", "add", ns.hostLink, "type", "veth", "peer", "name", nodeInterface, "netns", ns.name);
  ip("addr", "add", `${ns.hostAddress}/30`, "dev", ns.hostLink);
  ip("link", "set", ns.hostLink, "up");
  ip("-n", ns.name, "link", "set", "lo", "up");
  ip("-n", ns.name, "addr", "add", `${ns.nodeAddress}/30`, "dev", nodeInterface);
  ip("-n", ns.name, "link", "set", nodeInterface, "up");
  ip("-n", ns.name, "route", "add", "default", "via", ns.hostAddress);
  // A node that joins a cluster gets its pod range from the cluster (routePodRange, once known).
  if (options.routePodSubnet !== false) ip("route", "add", ns.podSubnet, "via", ns.nodeAddress, "dev", ns.hostLink);
  for (const [key, value] of [
    ["net.ipv4.ip_forward", "1"],
    ["net.bridge.bridge-nf-call-iptables", "1"],
  ]) {
    const set = spawnSync("ip", ["netns", "exec", ns.name, "sysctl", "-qw", `${key}=${value}`], { encoding: "utf8" });
    if (set.status !== 0) throw new Error(`could not set ${key} in network namespace ${ns.name}: ${set.stderr.trim()}`);
  }
}

/**
 * Deletes the namespace: its interfaces (the veth pair with it, and the
 * route through it), bridge and iptables rules go with it. Safe to repeat.
 */
export function deleteNodeNamespace(ns: Pick<NodeNamespace, "name" | "hostLink">): void {
  if (existsSync(namespacePath(ns))) {
    const del = spawnSync("ip", ["netns", "delete", ns.name], { encoding: "utf8" });
    if (del.status !== 0) throw new Error(`ip netns delete ${ns.name}: ${del.stderr.trim()}`);
  }
  // Normally gone with its peer (the kernel may remove it just after `ip netns
  // delete` returns); a half-made namespace may have left it.
  const del = spawnSync("ip", ["link", "delete", ns.hostLink], { encoding: "utf8" });
  if (del.status !== 0 && !/Cannot find device|No such device/.test(del.stderr)) throw new Error(`ip link delete ${ns.hostLink}: ${del.stderr.trim()}`);
}

/** Turns on forwarding on the machine: traffic between nodes' namespaces passes through it. */
export function enableHostForwarding(): void {
  writeFileSync("/proc/sys/net/ipv4/ip_forward", "1");
}

/**
 * Routes a pod range the node's cluster gave it (Node spec.podCIDR) from
 * the machine to the node. Fails, naming the fix, when the machine routes
 * that range elsewhere already: two clusters with the same pod CIDR whose
 * machines share this host (the machine is their one network, as a cloud's
 * VPC route table would be).
 */
export function routePodRange(ns: Pick<NodeNamespace, "nodeAddress" | "hostLink">, range: string): void {
  const existing = execFileSync("ip", ["-4", "route", "show", "exact", range], { encoding: "utf8" }).trim();
  if (existing === "") {
    execFileSync("ip", ["route", "add", range, "via", ns.nodeAddress, "dev", ns.hostLink], { stdio: ["ignore", "ignore", "pipe"] });
    return;
  }
  if (existing.includes(`via ${ns.nodeAddress} `)) return;
  throw new Error(`pod range ${range} is routed to another node on this machine (${existing}): machines of clusters on one machine need disjoint pod CIDRs; give one cluster another spec.network.podCIDR`);
}
