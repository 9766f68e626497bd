import { isDeepStrictEqual } from "node:util";
import type { KubernetesObject, V1OwnerReference, V1PolicyRule, V1Role, V1RoleBinding, V1ServiceAccount, RbacV1Subject } from "@kubernetes/client-node";
import { agentRevokedForAnnotation, apiVersion, platformPolicyNamespace, policyAgentRoleName, policyAgentServiceAccount, type Cluster, type ClusterSyncPolicyRef } from "@seedbed/api";
import { apply, isConflict, isNotFound, type Informer, type ObjectClient } from "@seedbed/runtime";
import { requestedRevoke } from "./decision.ts";
import { agentGrants } from "./rbac.ts";
import { agentClusterLabel, agentClusterNamespaceLabel, agentLabels } from "./names.ts";

const rbacVersion = "rbac.authorization.k8s.io/v1";

/** The agents' objects as cached (label-selected informers: nothing else is kept). */
export interface IdentityCache {
  readonly accounts: Informer<V1ServiceAccount>;
  readonly roles: Informer<V1Role>;
  readonly bindings: Informer<V1RoleBinding>;
}

/**
 * A cluster agent's identity on the management API: its ServiceAccount and
 * the Roles and RoleBindings that grant it exactly what rbac.ts renders.
 * Writes only what differs from the cache (a pass over an unchanged
 * cluster sends nothing).
 */
export class AgentIdentity {
  readonly #client: ObjectClient;
  readonly #cache: IdentityCache;

  constructor(client: ObjectClient, cache: IdentityCache) {
    this.#client = client;
    this.#cache = cache;
  }

  /** The cluster's ServiceAccount as cached. */
  cachedAccount(cluster: Cluster): V1ServiceAccount | undefined {
    return this.#cache.accounts.get(cluster.metadata.namespace, policyAgentServiceAccount(cluster.metadata.name ?? ""));
  }

  /** The cluster's ServiceAccount as stored now (the cache may lag behind a revoke of a moment ago). */
  async readAccount(namespace: string, cluster: string): Promise<V1ServiceAccount | undefined> {
    try {
      return await this.#client.request<V1ServiceAccount>("GET", accountPath(namespace, cluster));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Creates the cluster's ServiceAccount, annotated with the revoke it is
   * made after. Created, never applied: applying the annotation to an
   * existing account would mark a revoke done that never happened.
   */
  async createAccount(cluster: Cluster): Promise<V1ServiceAccount> {
    const namespace = cluster.metadata.namespace ?? "";
    const name = cluster.metadata.name ?? "";
    const revoke = requestedRevoke(cluster);
    const body: V1ServiceAccount = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: policyAgentServiceAccount(name),
        namespace,
        labels: agentLabels(namespace, name),
        annotations: revoke === undefined ? undefined : { [agentRevokedForAnnotation]: revoke },
        ownerReferences: [ownerOf(cluster)],
      },
      // Tokens are requested for it (TokenRequest); no Secret-based token is ever mounted or made.
      automountServiceAccountToken: false,
    };
    try {
      return await this.#client.request<V1ServiceAccount>("POST", `/api/v1/namespaces/${namespace}/serviceaccounts`, { body });
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Made meanwhile (a pass before a crash, or a cache that lagged): the stored one is the account.
      const stored = await this.readAccount(namespace, name);
      if (stored === undefined) throw new Error(`ServiceAccount ${namespace}/${policyAgentServiceAccount(name)} exists and does not: retrying`, { cause: error });
      return stored;
    }
  }

  /**
   * Deletes the account, only if it is still the one given (its uid): every
   * token issued for it is refused from then on, since the API server checks
   * the account's uid in a token against the stored one.
   */
  async deleteAccount(account: V1ServiceAccount): Promise<void> {
    const namespace = account.metadata?.namespace ?? "";
    const path = `/api/v1/namespaces/${namespace}/serviceaccounts/${account.metadata?.name ?? ""}`;
    await this.#delete(path, { preconditions: { uid: account.metadata?.uid } });
  }

  /**
   * Applies the Roles and RoleBindings the cluster's agent is granted (see
   * agentGrants) where they differ from the cache, and deletes the platform
   * namespace's pair once no policy there selects the cluster.
   */
  async grant(cluster: Cluster, refs: readonly ClusterSyncPolicyRef[]): Promise<void> {
    const namespace = cluster.metadata.namespace ?? "";
    const name = cluster.metadata.name ?? "";
    const roleName = policyAgentRoleName(namespace, name);
    const grants = agentGrants(namespace, name, refs);
    for (const grant of grants) {
      // An owner reference cannot cross namespaces: the platform namespace's pair is found by its labels instead.
      const owners = grant.namespace === namespace ? [ownerOf(cluster)] : undefined;
      const role = roleObject(grant.namespace, roleName, agentLabels(namespace, name), owners, grant.rules);
      if (differs(this.#cache.roles.get(grant.namespace, roleName), role, (a, b) => isDeepStrictEqual(a.rules, b.rules))) await apply(this.#client, role);
      const binding = bindingObject(grant.namespace, roleName, agentLabels(namespace, name), owners, { kind: "ServiceAccount", name: policyAgentServiceAccount(name), namespace });
      if (differs(this.#cache.bindings.get(grant.namespace, roleName), binding, (a, b) => isDeepStrictEqual(a.subjects, b.subjects) && isDeepStrictEqual(a.roleRef, b.roleRef))) await apply(this.#client, binding);
    }
    if (!grants.some((g) => g.namespace === platformPolicyNamespace)) await this.#deleteGrant(platformPolicyNamespace, roleName);
  }

  /** Deletes everything of the cluster's identity the cache shows: account, Roles and RoleBindings in every namespace. */
  async deleteAll(namespace: string, cluster: string): Promise<void> {
    const mine = (obj: KubernetesObject): boolean => obj.metadata?.labels?.[agentClusterLabel] === cluster && obj.metadata.labels[agentClusterNamespaceLabel] === namespace;
    if (this.#cache.accounts.get(namespace, policyAgentServiceAccount(cluster)) !== undefined) await this.#delete(accountPath(namespace, cluster));
    for (const role of this.#cache.roles.list().filter(mine)) await this.#delete(rolePath("roles", role.metadata?.namespace ?? "", role.metadata?.name ?? ""));
    for (const binding of this.#cache.bindings.list().filter(mine)) await this.#delete(rolePath("rolebindings", binding.metadata?.namespace ?? "", binding.metadata?.name ?? ""));
  }

  /** Whether the cache holds any object of the cluster's identity. */
  hasAny(namespace: string, cluster: string): boolean {
    const roleName = policyAgentRoleName(namespace, cluster);
    return this.#cache.accounts.get(namespace, policyAgentServiceAccount(cluster)) !== undefined
      || this.#cache.roles.get(namespace, roleName) !== undefined || this.#cache.bindings.get(namespace, roleName) !== undefined
      || this.#cache.roles.get(platformPolicyNamespace, roleName) !== undefined || this.#cache.bindings.get(platformPolicyNamespace, roleName) !== undefined;
  }

  async #deleteGrant(namespace: string, roleName: string): Promise<void> {
    if (this.#cache.bindings.get(namespace, roleName) !== undefined) await this.#delete(rolePath("rolebindings", namespace, roleName));
    if (this.#cache.roles.get(namespace, roleName) !== undefined) await this.#delete(rolePath("roles", namespace, roleName));
  }

  async #delete(path: string, body?: object): Promise<void> {
    try {
      await this.#client.request("DELETE", path, body === undefined ? {} : { body });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function accountPath(namespace: string, cluster: string): string {
  return `/api/v1/namespaces/${namespace}/serviceaccounts/${policyAgentServiceAccount(cluster)}`;
}

function rolePath(plural: "roles" | "rolebindings", namespace: string, name: string): string {
  return `/apis/${rbacVersion}/namespaces/${namespace}/${plural}/${name}`;
}

function ownerOf(cluster: Cluster): V1OwnerReference {
  return { apiVersion, kind: "Cluster", name: cluster.metadata.name ?? "", uid: cluster.metadata.uid ?? "", controller: true };
}

/** A Role as applied: exactly these rules. */
export function roleObject(namespace: string, name: string, labels: Record<string, string>, owners: V1OwnerReference[] | undefined, rules: readonly V1PolicyRule[]): V1Role {
  return { apiVersion: rbacVersion, kind: "Role", metadata: { name, namespace, labels, ownerReferences: owners }, rules: [...rules] };
}

/** The RoleBinding of the Role of the same name to one subject. */
export function bindingObject(namespace: string, name: string, labels: Record<string, string>, owners: V1OwnerReference[] | undefined, subject: RbacV1Subject): V1RoleBinding {
  return { apiVersion: rbacVersion, kind: "RoleBinding", metadata: { name, namespace, labels, ownerReferences: owners }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects: [subject] };
}

/** Whether the stored object lacks what `wanted` sets: its labels, its owners (by uid), or its content (`same`). */
function differs<T extends KubernetesObject>(stored: T | undefined, wanted: T, same: (a: T, b: T) => boolean): boolean {
  if (stored === undefined) return true;
  const labels = stored.metadata?.labels ?? {};
  if (Object.entries(wanted.metadata?.labels ?? {}).some(([key, value]) => labels[key] !== value)) return true;
  const owners = new Set((stored.metadata?.ownerReferences ?? []).map((o) => o.uid));
  if ((wanted.metadata?.ownerReferences ?? []).some((o) => !owners.has(o.uid))) return true;
  return !same(stored, wanted);
}
