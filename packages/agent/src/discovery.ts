import { apiRoot, isNotFound, type KindRef, type ObjectClient } from "@seedbed/runtime";

const rbac = "rbac.authorization.k8s.io/v1";

/** Kinds every API server serves, known without asking: a policy of namespaces and RBAC needs no discovery. */
const builtinKinds: readonly KindRef[] = [
  { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
  { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true },
  { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
  { apiVersion: "v1", kind: "Service", plural: "services", namespaced: true },
  { apiVersion: "v1", kind: "ResourceQuota", plural: "resourcequotas", namespaced: true },
  { apiVersion: "v1", kind: "LimitRange", plural: "limitranges", namespaced: true },
  { apiVersion: rbac, kind: "Role", plural: "roles", namespaced: true },
  { apiVersion: rbac, kind: "ClusterRole", plural: "clusterroles", namespaced: false },
  { apiVersion: rbac, kind: "RoleBinding", plural: "rolebindings", namespaced: true },
  { apiVersion: rbac, kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false },
];
const builtinByKey = new Map(builtinKinds.map((kind) => [`${kind.apiVersion}|${kind.kind}`, kind]));

interface APIResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

/**
 * Kind → resource, through the tenant's discovery (one request per
 * apiVersion, cached). A kind not found is not cached, so a CRD installed
 * later is found on the next try.
 */
export class Discovery {
  readonly #client: ObjectClient;
  readonly #byVersion = new Map<string, Map<string, KindRef>>();

  /** Discovery through `client`. */
  constructor(client: ObjectClient) {
    this.#client = client;
  }

  /** The resource of `kind` in `apiVersion`; throws when the API serves no such kind. */
  async resolve(apiVersion: string, kind: string): Promise<KindRef> {
    const builtin = builtinByKey.get(`${apiVersion}|${kind}`);
    if (builtin) return builtin;
    if (apiVersion === "" || kind === "") throw new Error("the object has no apiVersion or kind");
    let kinds = this.#byVersion.get(apiVersion);
    if (!kinds) {
      kinds = await this.#fetch(apiVersion);
      this.#byVersion.set(apiVersion, kinds);
    }
    const found = kinds.get(kind);
    if (found) return found;
    this.#byVersion.delete(apiVersion);
    throw new Error(`the cluster's API serves no kind ${kind} in ${apiVersion}`);
  }

  async #fetch(apiVersion: string): Promise<Map<string, KindRef>> {
    let list: APIResourceList;
    try {
      list = await this.#client.request<APIResourceList>("GET", apiRoot(apiVersion));
    } catch (error) {
      if (isNotFound(error)) throw new Error(`the cluster's API serves no ${apiVersion}`, { cause: error });
      throw error;
    }
    const kinds = new Map<string, KindRef>();
    // Subresources ("pods/status") share their parent's kind: skip them.
    for (const resource of list.resources ?? []) {
      if (!resource.name.includes("/")) kinds.set(resource.kind, { apiVersion, kind: resource.kind, plural: resource.name, namespaced: resource.namespaced });
    }
    return kinds;
  }
}
