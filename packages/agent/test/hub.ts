import { readFileSync, writeFileSync } from "node:fs";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, policyAgentRoleName, policyAgentServiceAccount, type ClusterPolicy, type ClusterSync } from "@seedbed/api";
import { isNotFound, ObjectClient } from "@seedbed/runtime";

/** Test helpers on the management API: policies, ClusterSyncs and an agent identity with exactly its rights. */

const seedbed = `/apis/${apiVersion}`;

/** Creates a ClusterPolicy; returns it as stored. */
export async function createPolicy(client: ObjectClient, namespace: string, name: string, spec: Partial<ClusterPolicy["spec"]>): Promise<ClusterPolicy> {
  return client.request<ClusterPolicy>("POST", `${seedbed}/namespaces/${namespace}/clusterpolicies`, {
    body: { apiVersion, kind: "ClusterPolicy", metadata: { name, namespace }, spec: { clusterSelector: {}, prune: true, ...spec } },
  });
}

/** Changes a policy's spec (merge patch); returns it with its new generation. */
export async function patchPolicy(client: ObjectClient, policy: ClusterPolicy, spec: Partial<ClusterPolicy["spec"]>): Promise<ClusterPolicy> {
  return client.request<ClusterPolicy>("PATCH", `${seedbed}/namespaces/${policy.metadata.namespace ?? ""}/clusterpolicies/${policy.metadata.name ?? ""}`, {
    body: { spec },
    contentType: "application/merge-patch+json",
  });
}

/** Sets a ClusterSync's policies to these, at their current generations (creating the ClusterSync if needed): what the operator does. */
export async function setSyncPolicies(client: ObjectClient, namespace: string, cluster: string, policies: readonly ClusterPolicy[]): Promise<ClusterSync> {
  const refs = policies.map((policy) => ({ namespace: policy.metadata.namespace ?? "", name: policy.metadata.name ?? "", uid: policy.metadata.uid ?? "", generation: policy.metadata.generation ?? 0 }));
  try {
    // A merge patch, so that an empty list is written as one (an apply of `policies: []` leaves spec empty, which is invalid).
    return await client.request<ClusterSync>("PATCH", `${seedbed}/namespaces/${namespace}/clustersyncs/${cluster}`, { body: { spec: { policies: refs } }, contentType: "application/merge-patch+json" });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return client.request<ClusterSync>("POST", `${seedbed}/namespaces/${namespace}/clustersyncs`, {
      body: { apiVersion, kind: "ClusterSync", metadata: { name: cluster, namespace }, spec: { policies: refs } },
    });
  }
}

/** Reads a ClusterSync. */
export async function readSync(client: ObjectClient, namespace: string, cluster: string): Promise<ClusterSync> {
  return client.request<ClusterSync>("GET", `${seedbed}/namespaces/${namespace}/clustersyncs/${cluster}`);
}

/**
 * The agent's identity as the brief gives it: a ServiceAccount and a Role
 * allowing only get/list/watch of its Cluster and ClusterSync, patch/update
 * of its ClusterSync's status, and get of the named policies.
 */
export async function createAgentIdentity(client: ObjectClient, namespace: string, cluster: string, policyNames: readonly string[]): Promise<void> {
  const account = policyAgentServiceAccount(cluster);
  const role = policyAgentRoleName(namespace, cluster);
  await client.request("POST", `/api/v1/namespaces/${namespace}/serviceaccounts`, { body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: account, namespace } } });
  const rules = [
    { apiGroups: ["seedbed.dev"], resources: ["clusters", "clustersyncs"], resourceNames: [cluster], verbs: ["get", "list", "watch"] },
    { apiGroups: ["seedbed.dev"], resources: ["clustersyncs/status"], resourceNames: [cluster], verbs: ["patch", "update"] },
    { apiGroups: ["seedbed.dev"], resources: ["clusterpolicies"], resourceNames: [...policyNames], verbs: ["get"] },
  ];
  await client.request("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, { body: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: role, namespace }, rules } });
  await client.request("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    body: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: role, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role },
      subjects: [{ kind: "ServiceAccount", name: account, namespace }],
    },
  });
}

/**
 * A token for the agent's ServiceAccount (TokenRequest API), bound to a
 * Secret of its own: deleting that Secret revokes the token.
 */
export async function issueAgentToken(kc: KubeConfig, client: ObjectClient, namespace: string, cluster: string, secretName: string): Promise<string> {
  const secret = await client.request<{ metadata: { uid: string } }>("POST", `/api/v1/namespaces/${namespace}/secrets`, { body: { apiVersion: "v1", kind: "Secret", metadata: { name: secretName, namespace } } });
  const core = kc.makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    name: policyAgentServiceAccount(cluster),
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600, boundObjectRef: { apiVersion: "v1", kind: "Secret", name: secretName, uid: secret.metadata.uid } } },
  });
  const token = request.status?.token;
  if (!token) throw new Error("the TokenRequest returned no token");
  return token;
}

/** Writes a kubeconfig for `token` on the API server of `admin` (its server and CA). */
export function writeTokenKubeConfig(file: string, admin: KubeConfig, token: string, namespace: string): void {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error("the admin kubeconfig has no cluster");
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString("base64") : "");
  const yaml = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: management\n  cluster:\n    server: ${cluster.server}\n    certificate-authority-data: ${caData}`,
    "users:",
    `- name: agent\n  user:\n    token: ${token}`,
    "contexts:",
    `- name: agent\n  context:\n    cluster: management\n    user: agent\n    namespace: ${namespace}`,
    "current-context: agent",
    "",
  ].join("\n");
  writeFileSync(file, yaml, { mode: 0o600 });
}

/** A client on `kc` (JSON exactly as the server sends it). */
export function clientFor(kc: KubeConfig): ObjectClient {
  return ObjectClient.fromKubeConfig(kc);
}
