import { KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { ClusterConditions, ClusterReasons, clusterIdentity, clusterObjectNames, kubeconfigSecretKey, type Cluster, type DatastoreStatus } from "@seedbed/api";
import { apply, isNotFound, type ConditionInput, type EventRecorder, type ObjectClient } from "@seedbed/runtime";
import { DeadlineClient } from "../../tenants/deadline.ts";

/** The admission policy (and its binding) that refuses creates in a tenant whose shared-datastore share is full. */
export const datastoreLimitPolicyName = "seedbed-datastore-limit";

/** Below this share of the limit a full tenant takes creates again: no flapping at the edge. */
const resumeBelow = 0.9;

/** What DatastoreLimits needs. */
export interface DatastoreLimitsOptions {
  readonly events: EventRecorder;
  /** A Secret from the operator's cache (the cluster's admin kubeconfig). */
  readonly secret: (namespace: string, name: string) => V1Secret | undefined;
  /** A client for a tenant's API (tests may point it elsewhere). */
  readonly tenantClient?: (kubeConfig: KubeConfig, what: string) => ObjectClient;
}

/** Whether a share of `bytes` is full against `limit`, given whether it was full before (hysteresis). Pure. */
export function isFull(bytes: number, limit: number, wasFull: boolean): boolean {
  return wasFull ? bytes >= limit * resumeBelow : bytes >= limit;
}

/**
 * etcd has no quota per key prefix, so Seedbed enforces a tenant's limit
 * in a shared etcd itself: once its keys reach spec.controlPlane.datastore
 * .storage, a ValidatingAdmissionPolicy in the tenant refuses every create
 * (updates and deletes still work, so the tenant can free space and its
 * controllers keep their leases), and DatastoreWithinLimit turns False with
 * an event. Below 90 % of the limit the policy goes again. The tenant is
 * written only when the state flips (and once per cluster after a restart).
 */
export class DatastoreLimits {
  readonly #o: DatastoreLimitsOptions;
  /** Per cluster id, whether the policy was last put in place (true) or taken away (false). */
  readonly #enforced = new Map<string, boolean>();

  constructor(options: DatastoreLimitsOptions) {
    this.#o = options;
  }

  /** Enforces the limit of a cluster on a Shared datastore; its DatastoreWithinLimit condition, or undefined for other clusters. */
  async observe(cluster: Cluster, datastore: DatastoreStatus | undefined): Promise<ConditionInput | undefined> {
    const id = clusterIdentity(cluster);
    if (datastore?.type !== "Shared" || datastore.limitBytes === undefined) {
      this.#enforced.delete(id);
      return undefined;
    }
    const previous = cluster.status?.conditions?.find((c) => c.type === ClusterConditions.DatastoreWithinLimit);
    // Usage not read yet (the shared etcd busy): the condition stays as it was.
    if (datastore.bytes === undefined) return previous === undefined ? undefined : { type: previous.type, status: previous.status, reason: previous.reason, message: previous.message };
    const full = isFull(datastore.bytes, datastore.limitBytes, this.#enforced.get(id) ?? previous?.status === "False");
    const message = limitMessage(cluster, datastore.bytes, datastore.limitBytes, datastore.sharedWith, full);
    if (this.#enforced.get(id) !== full) await this.#enforce(cluster, full, message, previous?.status === "False");
    return { type: ClusterConditions.DatastoreWithinLimit, status: full ? "False" : "True", reason: full ? ClusterReasons.LimitReached : "WithinLimit", message };
  }

  /** Puts the policy in place or takes it away; an Event when the state flipped. Not reachable yet (no admin kubeconfig cached, its API starting): the next pass does it, the rest of this one goes on. */
  async #enforce(cluster: Cluster, full: boolean, message: string, wasReportedFull: boolean): Promise<void> {
    const id = clusterIdentity(cluster);
    const client = this.#tenant(cluster);
    const done = client === undefined ? false : await (full ? putPolicy(client, message) : removePolicy(client)).then(() => true, () => false);
    if (!done) return;
    const flipped = this.#enforced.has(id) || wasReportedFull !== full;
    this.#enforced.set(id, full);
    if (flipped) this.#o.events.record(cluster, { type: full ? "Warning" : "Normal", reason: full ? ClusterReasons.LimitReached : "WithinLimit", action: "EnforceDatastoreLimit", note: message });
  }

  /** Forgets a deleted cluster. */
  forget(cluster: Cluster): void {
    this.#enforced.delete(clusterIdentity(cluster));
  }

  #tenant(cluster: Cluster): ObjectClient | undefined {
    const namespace = cluster.metadata.namespace ?? "";
    const encoded = this.#o.secret(namespace, clusterObjectNames.adminKubeconfigSecret(cluster.metadata.name ?? ""))?.data?.[kubeconfigSecretKey];
    if (encoded === undefined) return undefined;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(Buffer.from(encoded, "base64").toString("utf8"));
    const what = `cluster ${namespace}/${cluster.metadata.name ?? ""}`;
    return this.#o.tenantClient?.(kubeConfig, what) ?? DeadlineClient.forTenant(kubeConfig, what);
  }
}

async function putPolicy(client: ObjectClient, message: string): Promise<void> {
  await apply(client, {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: datastoreLimitPolicyName, labels: { "app.kubernetes.io/managed-by": "seedbed" } },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        // Top-level resources only: subresources (a ServiceAccount's token, a Pod's eviction) store nothing new.
        resourceRules: [{ apiGroups: ["*"], apiVersions: ["*"], operations: ["CREATE"], resources: ["*"] }],
        // Reviews store nothing, and the API server itself asks for them.
        excludeResourceRules: [{ apiGroups: ["authentication.k8s.io", "authorization.k8s.io"], apiVersions: ["*"], operations: ["CREATE"], resources: ["*"] }],
      },
      validations: [{ expression: "false", message: message.slice(0, 1000), reason: "Forbidden" }],
    },
  });
  await apply(client, {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: datastoreLimitPolicyName, labels: { "app.kubernetes.io/managed-by": "seedbed" } },
    spec: { policyName: datastoreLimitPolicyName, validationActions: ["Deny"] },
  });
}

async function removePolicy(client: ObjectClient): Promise<void> {
  for (const kind of ["ValidatingAdmissionPolicyBinding", "ValidatingAdmissionPolicy"]) {
    await client.delete({ apiVersion: "admissionregistration.k8s.io/v1", kind, metadata: { name: datastoreLimitPolicyName } }).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
}

/** DatastoreWithinLimit's message: usage against the limit, and at the limit what is refused and what to do. */
function limitMessage(cluster: Cluster, bytes: number, limit: number, seed: string | undefined, full: boolean): string {
  const usage = `the cluster's keys hold ${formatBytes(bytes)} of its ${formatBytes(limit)} limit in the shared etcd of seed ${seed ?? "?"}`;
  if (!full) return usage;
  return `${usage}: its API refuses new objects until they hold less than ${formatBytes(limit * resumeBelow)}; delete objects, or raise spec.controlPlane.datastore.storage of Cluster ${cluster.metadata.namespace ?? ""}/${cluster.metadata.name ?? ""}`;
}

/** Bytes in the largest binary unit that keeps a number of at least 1, one decimal. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? String(Math.round(value)) : value.toFixed(1)} ${units[unit] ?? "B"}`;
}
