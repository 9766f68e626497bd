import type { ControlPlaneStatus } from "@seedbed/api";
import { Gauge, type Registry } from "prom-client";

type ClusterLabel = "namespace" | "cluster";

/** "2/3" → [2, 3]; undefined for anything else (a series left out is better than a wrong one). */
function fraction(text: string): readonly [number, number] | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

/**
 * What the Cluster controller exports on /metrics about each cluster's
 * control plane (labels namespace and cluster), from the status.controlPlane
 * it computed: the API servers and etcd voters ready against desired, and
 * per etcd member its role, health and database size. A member that left,
 * or a role that changed, loses its old series, so that a dashboard never
 * shows a removed member as alive.
 */
export class ControlPlaneMetrics {
  readonly #apiServersReady: Gauge<ClusterLabel>;
  readonly #apiServersDesired: Gauge<ClusterLabel>;
  readonly #etcdHealthy: Gauge<ClusterLabel>;
  readonly #etcdDesired: Gauge<ClusterLabel>;
  readonly #memberInfo: Gauge<ClusterLabel | "member" | "role">;
  readonly #memberHealthy: Gauge<ClusterLabel | "member">;
  readonly #memberDbSize: Gauge<ClusterLabel | "member">;
  readonly #datastoreKeys: Gauge<ClusterLabel>;
  readonly #datastoreBytes: Gauge<ClusterLabel>;
  readonly #datastoreLimit: Gauge<ClusterLabel>;
  /** Per cluster (namespace/name), each member's role in its series: what to remove when it changes or goes. */
  readonly #members = new Map<string, Map<string, string>>();

  /** Registers the metrics in the operator's registry. */
  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ["namespace", "cluster"] as const;
    const memberLabels = ["namespace", "cluster", "member"] as const;
    this.#apiServersReady = new Gauge({ name: "seedbed_cluster_apiservers_ready", help: "The cluster's kube-apiserver replicas that are ready.", labelNames, registers });
    this.#apiServersDesired = new Gauge({ name: "seedbed_cluster_apiservers_desired", help: "The kube-apiserver replicas the cluster's control plane is built with.", labelNames, registers });
    this.#etcdHealthy = new Gauge({ name: "seedbed_cluster_etcd_members_healthy", help: "The cluster's etcd voting members that are healthy (learners not counted): alert when below desired, page when at or below half of it.", labelNames, registers });
    this.#etcdDesired = new Gauge({ name: "seedbed_cluster_etcd_members_desired", help: "The etcd voting members the cluster's datastore is built for.", labelNames, registers });
    this.#memberInfo = new Gauge({ name: "seedbed_cluster_etcd_member_info", help: "1 per etcd member of the cluster, with its role (Leader, Follower, Learner, Unknown).", labelNames: [...memberLabels, "role"], registers });
    this.#memberHealthy = new Gauge({ name: "seedbed_cluster_etcd_member_healthy", help: "1 when the etcd member answers and serves reads, else 0.", labelNames: memberLabels, registers });
    this.#datastoreKeys = new Gauge({ name: "seedbed_cluster_datastore_keys", help: "Keys of a cluster on a shared datastore, under its prefix.", labelNames, registers });
    this.#datastoreBytes = new Gauge({ name: "seedbed_cluster_datastore_bytes", help: "Bytes of a cluster's keys and values in its shared datastore.", labelNames, registers });
    this.#datastoreLimit = new Gauge({ name: "seedbed_cluster_datastore_limit_bytes", help: "A cluster's limit in its shared datastore (spec.controlPlane.datastore.storage): creates are refused once bytes reach it.", labelNames, registers });
    this.#memberDbSize = new Gauge({ name: "seedbed_cluster_etcd_member_db_size_bytes", help: "Size of the etcd member's database file (absent while it does not answer).", labelNames: memberLabels, registers });
  }

  /** Sets the cluster's series from the status.controlPlane of a pass, removing those of members gone. */
  observe(namespace: string, cluster: string, status: ControlPlaneStatus): void {
    const labels = { namespace, cluster };
    this.#setFraction(this.#apiServersReady, this.#apiServersDesired, labels, status.apiServers);
    this.#setFraction(this.#etcdHealthy, this.#etcdDesired, labels, status.etcd);
    const datastore = status.datastore;
    for (const [gauge, value] of [[this.#datastoreKeys, datastore?.keys], [this.#datastoreBytes, datastore?.bytes], [this.#datastoreLimit, datastore?.limitBytes]] as const) {
      if (value === undefined) gauge.remove(labels);
      else gauge.set(labels, value);
    }
    const key = `${namespace}/${cluster}`;
    const before = this.#members.get(key) ?? new Map<string, string>();
    const now = new Map<string, string>();
    for (const m of status.members ?? []) {
      const member = { ...labels, member: m.name };
      const previousRole = before.get(m.name);
      if (previousRole !== undefined && previousRole !== m.role) this.#memberInfo.remove({ ...member, role: previousRole });
      this.#memberInfo.set({ ...member, role: m.role }, 1);
      this.#memberHealthy.set(member, m.healthy ? 1 : 0);
      if (m.dbSizeBytes === undefined) this.#memberDbSize.remove(member);
      else this.#memberDbSize.set(member, m.dbSizeBytes);
      now.set(m.name, m.role);
    }
    for (const [name, role] of before) if (!now.has(name)) this.#removeMember(namespace, cluster, name, role);
    if (now.size === 0) this.#members.delete(key);
    else this.#members.set(key, now);
  }

  /** Removes every series of the cluster: called once it is deleted. */
  forget(namespace: string, cluster: string): void {
    const labels = { namespace, cluster };
    for (const gauge of [this.#apiServersReady, this.#apiServersDesired, this.#etcdHealthy, this.#etcdDesired, this.#datastoreKeys, this.#datastoreBytes, this.#datastoreLimit]) gauge.remove(labels);
    const key = `${namespace}/${cluster}`;
    for (const [name, role] of this.#members.get(key) ?? []) this.#removeMember(namespace, cluster, name, role);
    this.#members.delete(key);
  }

  /** Sets ready and desired from "ready/desired", or removes both when the text is not that. */
  #setFraction(ready: Gauge<ClusterLabel>, desired: Gauge<ClusterLabel>, labels: Record<ClusterLabel, string>, text: string): void {
    const parsed = fraction(text);
    if (parsed === undefined) {
      ready.remove(labels);
      desired.remove(labels);
      return;
    }
    ready.set(labels, parsed[0]);
    desired.set(labels, parsed[1]);
  }

  #removeMember(namespace: string, cluster: string, name: string, role: string): void {
    const member = { namespace, cluster, member: name };
    this.#memberInfo.remove({ ...member, role });
    this.#memberHealthy.remove(member);
    this.#memberDbSize.remove(member);
  }
}
