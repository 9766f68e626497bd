import type { V1Secret } from "@kubernetes/client-node";
import type { NodePool } from "@seedbed/api";
import { KwokProvider, type MachineProvider } from "@seedbed/providers";
import { describeError, isNotFound, type ObjectClient } from "@seedbed/runtime";
import type { Tenant } from "../../tenants/connections.ts";
import { protectCredentials } from "../credentials/protect.ts";

/**
 * Builds the machine provider of a pool: kwok works in the tenant (its Nodes
 * listed from the tenant cache); a cloud reads the pool's credentials
 * Secret, which only this path reads (the operator caches no Secret it did
 * not write), and protects it with a finalizer while the pool needs it.
 */
export function machineProviders(client: ObjectClient, options: { readonly machinesDir?: string } = {}): (pool: NodePool, tenant: Tenant | undefined) => Promise<MachineProvider> {
  // One cloud provider per pool and credentials: it keeps its Keystone token or SDK client between reconciles.
  const clouds = new Map<string, { fingerprint: string; provider: MachineProvider }>();
  let local: MachineProvider | undefined;
  return async (pool, tenant) => {
    const provider = pool.spec.provider;
    if (provider.type === "kwok") {
      if (tenant === undefined) throw new Error("kwok machines live in the tenant cluster, which is not reachable");
      return new KwokProvider(tenant.client, () => tenant.nodes.list());
    }
    if (provider.type === "local") {
      const { machinesDir } = options;
      if (machinesDir === undefined) throw new Error("local machines run beside a platform started with `seedbed up` (it has a state directory); this operator has none: use provider type kwok, openstack or aws");
      if (process.getuid?.() !== 0) throw new Error("local machines need the platform to run as root (each is a kubelet with its own containerd and network namespace): start it with sudo, or use provider type kwok");
      // Loaded on first use: only a platform with local pools needs the node code.
      const { LocalMachineProvider } = await import("@seedbed/node");
      local ??= new LocalMachineProvider(machinesDir);
      return local;
    }
    const ref = provider.credentialsSecretRef;
    if (ref === undefined) throw new Error(`spec.provider.credentialsSecretRef is required for ${provider.type}`);
    const namespace = ref.namespace ?? pool.metadata.namespace ?? "";
    const secret = await client.request<V1Secret>("GET", `/api/v1/namespaces/${namespace}/secrets/${ref.name}`).catch((error: unknown) => {
      if (isNotFound(error)) throw new Error(`credentials Secret ${namespace}/${ref.name} does not exist; create it with key ${ref.key}`);
      throw new Error(`credentials Secret ${namespace}/${ref.name} cannot be read: ${describeError(error)}`);
    });
    const encoded = secret.data?.[ref.key];
    if (encoded === undefined) throw new Error(`credentials Secret ${namespace}/${ref.name} has no key ${ref.key}; add it`);
    // Before any machine exists: the pool's finalizer needs the Secret to remove them.
    await protectCredentials(client, secret);
    const key = `${pool.metadata.namespace ?? ""}/${pool.metadata.name ?? ""}`;
    const fingerprint = `${pool.metadata.uid ?? ""}|${JSON.stringify(provider)}|${encoded}`;
    const known = clouds.get(key);
    if (known?.fingerprint === fingerprint) return known.provider;
    // Loaded on first use: the AWS SDK alone would add tens of MB to every operator that never sees a cloud pool.
    const { cloudProvider } = await import("@seedbed/providers/clouds");
    const made = cloudProvider(provider.type, provider, Buffer.from(encoded, "base64").toString("utf8"));
    clouds.set(key, { fingerprint, provider: made });
    return made;
  };
}
