import { apiVersion, clusterOwnerReference, etcdBackupKind, group, version, type Cluster, type EtcdBackup } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode } from "../../errors.ts";

/** The EtcdBackup resource's coordinates in the management API. */
export const etcdBackupResource = { group, version, plural: "etcdbackups" } as const;

/** The label that names a backup's cluster, so that a cluster's backups can be selected. */
export const backupClusterLabel = "seedbed.dev/cluster";

/** The API path of a project's backups, for watches. */
export function etcdBackupsPath(namespace: string): string {
  return `/apis/${group}/${version}/namespaces/${namespace}/etcdbackups`;
}

const namePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** "-yyyymmdd-hhmmss": what a generated name adds to the cluster's. */
const stampLength = 16;

/**
 * The name of a backup taken now when --name is not given:
 * `<cluster>-<UTC yyyymmdd-hhmmss>`, so that names sort by time and say
 * which cluster they hold. A cluster name too long to leave room is cut
 * (names of new clusters are short enough).
 */
export function defaultBackupName(cluster: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "").replace(/[-:]/g, "").replace("T", "-");
  const head = cluster.slice(0, etcdBackupKind.name.maxLength - stampLength).replace(/-+$/, "");
  return `${head}-${stamp}`;
}

/** The cluster of --cluster, or a usage error naming the flag. */
export function clusterFlag(value: string | undefined): string {
  if (value === undefined || value === "") throw new CliError("--cluster is required: name the cluster to back up (seedbed cluster list shows them)", ExitCode.usage);
  if (!namePattern.test(value) || value.length > 63) throw new CliError(`--cluster must be a cluster's name (lowercase letters, digits and '-'), got "${value}"`, ExitCode.usage);
  return value;
}

/** The backup's name: --name when given (checked), else one made from the cluster and the time. */
export function backupNameFlag(value: string | undefined, cluster: string, now: Date): string {
  if (value === undefined) return defaultBackupName(cluster, now);
  const max = etcdBackupKind.name.maxLength;
  if (!namePattern.test(value) || value.length > max) {
    throw new CliError(`--name must be at most ${String(max)} lowercase letters, digits and '-', starting and ending with a letter or digit, got "${value}"; or leave it out for ${defaultBackupName(cluster, now)}`, ExitCode.usage);
  }
  return value;
}

/**
 * A new EtcdBackup of a cluster, labelled with it and owned by it: the
 * management cluster's garbage collector deletes it (and so, through the
 * backup's finalizer, its stored snapshot) when the Cluster is deleted.
 */
export function newEtcdBackup(namespace: string, name: string, owner: Cluster): EtcdBackup {
  const clusterName = owner.metadata.name ?? "";
  return {
    apiVersion,
    kind: "EtcdBackup",
    metadata: { name, namespace, labels: { [backupClusterLabel]: clusterName }, ownerReferences: [clusterOwnerReference(owner)] },
    spec: { clusterName },
  };
}

/** Lists a project's EtcdBackups, optionally of one cluster. */
export async function listBackups(ctx: CommandContext, cluster?: string): Promise<EtcdBackup[]> {
  const list = (await ctx.objects.listNamespacedCustomObject({ ...etcdBackupResource, namespace: ctx.namespace })) as { items: EtcdBackup[] };
  // By spec rather than by label: backups made by kubectl or the schedule may lack the label.
  return list.items.filter((b) => cluster === undefined || b.spec.clusterName === cluster);
}
