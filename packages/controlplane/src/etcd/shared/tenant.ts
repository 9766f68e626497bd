import { tolerate } from "./auth.ts";
import { checkTenantId, prefixRangeEnd, tenantKeyPrefix } from "./keys.ts";
import { countPrefix, deletePrefix, readPrefix } from "./kv.ts";
import { runEtcdctl, type SharedEtcdAccess } from "./run.ts";

/*
 * A tenant of a shared etcd: user = role = its id, the role granted
 * readwrite on "/<id>/" and nothing else. Its kube-apiserver authenticates
 * with a client certificate whose CN is the id (signed by the shared etcd's
 * CA), so etcd itself refuses it every key outside its prefix.
 */

/** A tenant's share of the shared etcd at one revision. */
export interface TenantUsage {
  /** Keys under the tenant's prefix. */
  readonly keys: number;
  /** Sum of the sizes of those keys and their values, bytes (etcd's own bookkeeping per key not included). */
  readonly bytes: number;
  /** The revision both were read at. */
  readonly revision: number;
}

/** What removeTenant removed. */
export interface TenantRemoval {
  readonly deletedKeys: number;
  readonly userDeleted: boolean;
  readonly roleDeleted: boolean;
}

/** etcd's enum Permission.Type, as `role get -w json` prints it (READ = 0 is left out: omitempty). */
const readwrite = 2;

/**
 * Creates (or completes) a tenant's user and role, idempotently: the user
 * without a password, the role with readwrite on "/<id>/" (--prefix, so the
 * range ["/<id>/", "/<id>0")), the role granted to the user. Any other
 * permission on the role and any other role of the user are revoked, so the
 * tenant can reach exactly its prefix whatever was granted before.
 */
export async function ensureTenant(admin: SharedEtcdAccess, id: string): Promise<void> {
  const prefix = tenantKeyPrefix(id);
  await tolerate(runEtcdctl(admin, ["user", "add", id, "--no-password", "-w", "json"]), "user name already exists");
  await tolerate(runEtcdctl(admin, ["role", "add", id, "-w", "json"]), "role name already exists");
  // Granting the same key and range again replaces the permission in place (no duplicate).
  await runEtcdctl(admin, ["role", "grant-permission", id, "--prefix=true", "readwrite", prefix, "-w", "json"]);
  await runEtcdctl(admin, ["user", "grant-role", id, id, "-w", "json"]);
  await revokeOtherPermissions(admin, id, prefix);
  await revokeOtherRoles(admin, id);
}

async function revokeOtherPermissions(admin: SharedEtcdAccess, id: string, prefix: string): Promise<void> {
  const role = JSON.parse(await runEtcdctl(admin, ["role", "get", id, "-w", "json"])) as { perm?: { permType?: number; key?: string; range_end?: string }[] };
  const end = prefixRangeEnd(prefix);
  for (const perm of role.perm ?? []) {
    const key = Buffer.from(perm.key ?? "", "base64").toString("utf8");
    const rangeEnd = Buffer.from(perm.range_end ?? "", "base64").toString("utf8");
    if (perm.permType === readwrite && key === prefix && rangeEnd === end) continue;
    // A range end of "\0" means "every key from `key` on" (--from-key); a NUL byte cannot be an argument.
    const range = rangeEnd === "" ? [] : rangeEnd === "\0" ? ["--from-key"] : [rangeEnd];
    await runEtcdctl(admin, ["role", "revoke-permission", id, key, ...range, "-w", "json"]);
  }
}

async function revokeOtherRoles(admin: SharedEtcdAccess, id: string): Promise<void> {
  const user = JSON.parse(await runEtcdctl(admin, ["user", "get", id, "-w", "json"])) as { roles?: string[] };
  for (const role of user.roles ?? []) {
    if (role !== id) await runEtcdctl(admin, ["user", "revoke-role", id, role, "-w", "json"]);
  }
}

/**
 * Removes a tenant: its user first, so that an API server still running
 * cannot write again behind the delete, then every key under "/<id>/", then
 * its role. Idempotent: what is gone already counts as removed.
 */
export async function removeTenant(admin: SharedEtcdAccess, id: string): Promise<TenantRemoval> {
  const prefix = tenantKeyPrefix(id);
  const userDeleted = await tolerate(runEtcdctl(admin, ["user", "delete", id, "-w", "json"]), "user name not found");
  const deletedKeys = await deletePrefix(admin, prefix);
  const roleDeleted = await tolerate(runEtcdctl(admin, ["role", "delete", id, "-w", "json"]), "role name not found");
  return { deletedKeys, userDeleted, roleDeleted };
}

/** Options of tenantUsage. */
export interface TenantUsageOptions {
  /** Keys per etcdctl call while summing sizes (default 500). */
  readonly pageSize?: number;
}

/**
 * A tenant's keys and bytes. etcd has no per-prefix size (its dbSize is the
 * whole backend file, every tenant and every old revision), so the bytes are
 * summed from a paged read of the keys and values at the revision the keys
 * were counted at. It reads the whole prefix: run it on a timer, as root.
 */
export async function tenantUsage(admin: SharedEtcdAccess, id: string, options: TenantUsageOptions = {}): Promise<TenantUsage> {
  const prefix = tenantKeyPrefix(id);
  const { count, revision } = await countPrefix(admin, prefix);
  let bytes = 0;
  for await (const page of readPrefix(admin, prefix, { revision, pageSize: options.pageSize })) {
    for (const kv of page) bytes += kv.key.length + kv.value.length;
  }
  return { keys: count, bytes, revision };
}

/**
 * The kube-apiserver flags of a tenant on a shared etcd (besides
 * --etcd-servers and its certificate with CN=<id>), as extraFlags take them:
 * - etcd-prefix=/<id>: every key it writes is "/<id>/…", inside its grant
 *   (its health check reads "/<id>/health", also inside);
 * - etcd-compaction-interval=0: its compactor writes the bare key
 *   "compact_rev_key", outside the prefix, which etcd would deny. The shared
 *   etcd compacts itself (--auto-compaction-mode/-retention). Note that etcd
 *   does not stop a tenant from compacting (Compaction needs no admin role),
 *   and revisions are global: this flag is what keeps tenants from doing it.
 */
export function tenantApiServerFlags(id: string): Readonly<Record<string, string>> {
  return { "etcd-prefix": `/${checkTenantId(id)}`, "etcd-compaction-interval": "0" };
}
