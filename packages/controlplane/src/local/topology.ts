import type { RenderedComponent } from "../render/control-plane.ts";
import type { ProcessSpec } from "../render/process-spec.ts";

/**
 * How a local cluster of several API servers and etcd members sits on this
 * machine's loopback:
 *
 * - API server replica k listens on 127.0.0.<k+2> at the cluster's
 *   endpoint port E, and the platform's load balancer listens on
 *   127.0.0.1:E (and the node address) in front of them. One port for
 *   every replica keeps the `kubernetes` Service's endpoint (advertised
 *   address and secure port, the same for all) pointing at the balancer.
 * - controller-manager and scheduler replica k listen on 127.0.0.<k+1> at
 *   their one port and elect a leader.
 * - etcd member n listens on ports of its own (client, peer, metrics), its
 *   data in etcd-<n>/ (the first member, "default", keeps etcd/).
 *
 * A cluster of one API server and its one first etcd member is rendered
 * exactly as before: no balancer, no extra flag.
 */

/** One etcd member this machine runs for a cluster. */
export interface LocalEtcdMember {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  /** Serves /readyz over plain HTTP on loopback, for the member's health. */
  readonly metricsPort: number;
  readonly dataDir: string;
  /** "existing" for a member that joined a running cluster (etcd reads it only with an empty data directory). */
  readonly initialClusterState: "new" | "existing";
  /** name=peerURL of the members it starts with (read only with an empty data directory). */
  readonly initialCluster: string;
}

/** The name of etcd member `name`'s process. */
export function etcdProcessName(member: string): string {
  return member === "default" ? "etcd" : `etcd-${member}`;
}

/** The process name of replica k of a component. */
export function replicaName(component: string, k: number): string {
  return k === 0 ? component : `${component}-${k}`;
}

/** Whether a process is one of the cluster's API servers. */
export function isAPIServerReplica(name: string): boolean {
  return name === "kube-apiserver" || /^kube-apiserver-\d+$/.test(name);
}

/** Names of replicas (API servers, controller-managers, schedulers beyond the first) that may run but are not in `rendered`. */
export function replicaNamesBeyond(rendered: ReadonlySet<string>): string[] {
  const names = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"].flatMap((component) => Array.from({ length: 4 }, (_, k) => replicaName(component, k + 1)));
  return names.filter((name) => !rendered.has(name));
}

/** The loopback address API server replica k listens on, behind the balancer. */
export function apiServerReplicaAddress(k: number): string {
  return `127.0.0.${k + 2}`;
}

/** Loopback addresses API server replicas may listen on: their serving certificate names them all. */
export const apiServerReplicaAddresses: readonly string[] = Array.from({ length: 5 }, (_, k) => apiServerReplicaAddress(k));

/** What the topology is made from. */
export interface LocalTopologyInput {
  /** renderControlPlane's single-instance components. */
  readonly base: readonly RenderedComponent[];
  readonly apiServerReplicas: number;
  /** etcd members to run, once etcd has (or had, or is to get) several; absent: the base's one member, as rendered. */
  readonly members?: readonly LocalEtcdMember[];
  /** Client URLs of etcd's voting members: the API servers' --etcd-servers. */
  readonly etcdServers?: readonly string[];
  /** The cluster's endpoint port. */
  readonly endpointPort: number;
  /** What API servers advertise (the node address, or loopback). */
  readonly advertiseAddress: string;
  /** A component replica's own working directory. */
  readonly workDir: (name: string) => string;
}

/** `--flag=value` arguments with some flags replaced or added. */
function withFlags(spec: ProcessSpec, name: string, values: Readonly<Record<string, string | number | boolean>>): ProcessSpec {
  const keys = new Set(Object.keys(values));
  const kept = spec.args.filter((arg) => !keys.has(arg.slice(2).split("=")[0] ?? ""));
  const added = Object.keys(values).sort().map((key) => `--${key}=${String(values[key])}`);
  return { ...spec, name, args: [...kept, ...added] };
}

/** Replaces the host of an https URL. */
function onHost(url: string, host: string): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  return parsed.toString().replace(/\/$/, "");
}

/**
 * The processes of a local cluster with `apiServerReplicas` API servers
 * and the given etcd members. Pure, like renderControlPlane.
 */
export function renderLocalTopology(input: LocalTopologyInput): RenderedComponent[] {
  const byName = new Map(input.base.map((c) => [c.spec.name, c]));
  const need = (name: string): RenderedComponent => {
    const component = byName.get(name);
    if (component === undefined) throw new Error(`the control plane has no ${name} to replicate`);
    return component;
  };
  const etcd = need("etcd");
  const apiServer = need("kube-apiserver");
  const out: RenderedComponent[] = [];
  const members = input.members;
  if (members === undefined) {
    out.push(etcd);
  } else {
    for (const m of members) {
      out.push({
        ...etcd,
        spec: withFlags(etcd.spec, etcdProcessName(m.name), {
          name: m.name,
          "data-dir": m.dataDir,
          "listen-client-urls": `https://127.0.0.1:${m.clientPort}`,
          "advertise-client-urls": `https://127.0.0.1:${m.clientPort}`,
          "listen-peer-urls": `https://127.0.0.1:${m.peerPort}`,
          "initial-advertise-peer-urls": `https://127.0.0.1:${m.peerPort}`,
          "listen-metrics-urls": `http://127.0.0.1:${m.metricsPort}`,
          "initial-cluster": m.initialCluster,
          "initial-cluster-state": m.initialClusterState,
        }),
        health: { url: `http://127.0.0.1:${m.metricsPort}/readyz`, tls: "plain" },
      });
    }
  }
  const etcdServers: Record<string, string> = input.etcdServers === undefined ? {} : { "etcd-servers": input.etcdServers.join(",") };
  if (input.apiServerReplicas === 1) {
    // Unchanged (the same arguments in the same order) when etcd is the base's one member: no restart.
    out.push(input.etcdServers === undefined ? apiServer : { ...apiServer, spec: withFlags(apiServer.spec, "kube-apiserver", etcdServers) });
  } else {
    for (let k = 0; k < input.apiServerReplicas; k++) {
      const address = apiServerReplicaAddress(k);
      out.push({
        ...apiServer,
        spec: withFlags(apiServer.spec, replicaName("kube-apiserver", k), { ...etcdServers, "bind-address": address, "advertise-address": input.advertiseAddress }),
        health: { ...apiServer.health, url: onHost(apiServer.health.url, address) },
      });
    }
  }
  for (const component of input.base) {
    const name = component.spec.name;
    if (name === "kube-controller-manager" || name === "kube-scheduler") {
      if (input.apiServerReplicas === 1) {
        out.push(component);
        continue;
      }
      for (let k = 0; k < input.apiServerReplicas; k++) {
        const address = `127.0.0.${k + 1}`;
        const replica = replicaName(name, k);
        out.push({
          ...component,
          spec: withFlags(component.spec, replica, { "bind-address": address, "leader-elect": true, "cert-dir": input.workDir(replica) }),
          health: { ...component.health, url: onHost(component.health.url, address) },
        });
      }
    } else if (name !== "etcd" && name !== "kube-apiserver") {
      out.push(component);
    }
  }
  return out;
}
