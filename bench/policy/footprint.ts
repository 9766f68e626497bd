// What policy sync stores on the management API, read back object by
// object with the admin's client (JSON exactly as the API server sends it):
// per cluster its ClusterSync and its agent's ServiceAccount, Role and
// RoleBinding; per policy its status. Bytes are the UTF-8 length of
// JSON.stringify of the object as served, managedFields included (as
// etcd stores them), and again without managedFields.
import type { KubeConfig } from "@kubernetes/client-node";
import { apiVersion, policyAgentRoleName, policyAgentServiceAccount, type ClusterPolicy } from "@seedbed/api";
import { isNotFound, ObjectClient, SharedConnection } from "@seedbed/runtime";
import { pool } from "../scale/seed-setup.ts";
import type { KindFootprint } from "./figures.ts";

const bytes = (x: unknown): number => Buffer.byteLength(JSON.stringify(x ?? null));

/** An object's bytes as served, and without metadata.managedFields. */
function sizes(obj: { metadata?: { managedFields?: unknown } }): { bytes: number; bytesWithoutManagedFields: number } {
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  return { bytes: bytes(obj), bytesWithoutManagedFields: bytes({ ...obj, metadata }) };
}

async function getOrUndefined<T>(client: ObjectClient, path: string): Promise<T | undefined> {
  try {
    return await client.request<T>("GET", path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** One cluster's objects by kind, with and without managedFields. */
export interface ClusterObjects {
  readonly withManagedFields: Record<string, KindFootprint>;
  readonly withoutManagedFields: Record<string, KindFootprint>;
}

/** Reads the policy-sync objects of each cluster, ten clusters at a time. */
export async function clusterFootprints(admin: KubeConfig, namespace: string, clusters: readonly string[]): Promise<ClusterObjects[]> {
  const connection = new SharedConnection();
  const client = ObjectClient.fromKubeConfig(admin, connection);
  const out: ClusterObjects[] = [];
  try {
    await pool(clusters.length, 10, async (i) => {
      const cluster = clusters[i] ?? "";
      const role = policyAgentRoleName(namespace, cluster);
      const paths: Record<string, string> = {
        ClusterSync: `/apis/${apiVersion}/namespaces/${namespace}/clustersyncs/${cluster}`,
        ServiceAccount: `/api/v1/namespaces/${namespace}/serviceaccounts/${policyAgentServiceAccount(cluster)}`,
        Role: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles/${role}`,
        RoleBinding: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings/${role}`,
      };
      const withManagedFields: Record<string, KindFootprint> = {};
      const withoutManagedFields: Record<string, KindFootprint> = {};
      for (const [kind, path] of Object.entries(paths)) {
        const obj = await getOrUndefined<{ metadata?: { managedFields?: unknown } }>(client, path);
        const size = obj === undefined ? { bytes: 0, bytesWithoutManagedFields: 0 } : sizes(obj);
        const objects = obj === undefined ? 0 : 1;
        withManagedFields[kind] = { objects, bytes: size.bytes };
        withoutManagedFields[kind] = { objects, bytes: size.bytesWithoutManagedFields };
      }
      out.push({ withManagedFields, withoutManagedFields });
    });
    return out;
  } finally {
    await connection.close();
  }
}

/** What one ClusterPolicy's status holds and weighs. */
export interface PolicyStatusSize {
  readonly name: string;
  readonly statusBytes: number;
  readonly objectBytes: number;
  readonly selectedClusters: number | null;
  readonly inSyncClusters: number | null;
  readonly offenders: number;
}

/** Reads every policy and weighs its status. */
export async function policyStatusSizes(admin: KubeConfig, namespace: string, policies: readonly string[]): Promise<PolicyStatusSize[]> {
  const connection = new SharedConnection();
  const client = ObjectClient.fromKubeConfig(admin, connection);
  try {
    return await Promise.all(policies.map(async (name) => {
      const policy = await client.request<ClusterPolicy>("GET", `/apis/${apiVersion}/namespaces/${namespace}/clusterpolicies/${name}`);
      return {
        name,
        statusBytes: bytes(policy.status),
        objectBytes: bytes(policy),
        selectedClusters: policy.status?.selectedClusters ?? null,
        inSyncClusters: policy.status?.inSyncClusters ?? null,
        offenders: policy.status?.offenders?.length ?? 0,
      };
    }));
  } finally {
    await connection.close();
  }
}
