import { apiVersion, clusterOwnerReference, etcdRestoreKind, group, version, type Cluster, type EtcdRestore } from "@seedbed/api";
import { CliError, ExitCode } from "../../errors.ts";
import { backupClusterLabel } from "../backup/backups-api.ts";

/** The EtcdRestore resource's coordinates in the management API. */
export const etcdRestoreResource = { group, version, plural: "etcdrestores" } as const;

/** The API path of a project's restores, for watches. */
export function etcdRestoresPath(namespace: string): string {
  return `/apis/${group}/${version}/namespaces/${namespace}/etcdrestores`;
}

const namePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** "-restore-yyyymmdd-hhmmss": what a generated name adds to the cluster's. */
const suffixLength = "-restore-".length + "yyyymmdd-hhmmss".length;

/**
 * The name of a restore started now when --name is not given:
 * `<cluster>-restore-<UTC yyyymmdd-hhmmss>`, like a backup's generated
 * name. A cluster name too long to leave room is cut, so that the name
 * stays within the kind's 63 characters.
 */
export function defaultRestoreName(cluster: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "").replace(/[-:]/g, "").replace("T", "-");
  const head = cluster.slice(0, etcdRestoreKind.name.maxLength - suffixLength).replace(/-+$/, "");
  return `${head}-restore-${stamp}`;
}

/** The CLUSTER argument of `seedbed restore`, or a usage error naming it. */
export function restoreClusterArgument(value: string): string {
  if (!namePattern.test(value) || value.length > 63) {
    throw new CliError(`CLUSTER must be a cluster's name (lowercase letters, digits and '-'; seedbed cluster list shows them), got "${value}"`, ExitCode.usage);
  }
  return value;
}

/** The backup of --backup (checked), or undefined for the cluster's newest completed one. */
export function restoreBackupFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!namePattern.test(value) || value.length > 63) {
    throw new CliError(`--backup must be a backup's name (lowercase letters, digits and '-'; seedbed backup list shows them), got "${value}"; or leave it out for the cluster's newest completed backup`, ExitCode.usage);
  }
  return value;
}

/** The restore's name: --name when given (checked), else one made from the cluster and the time. */
export function restoreNameFlag(value: string | undefined, cluster: string, now: Date): string {
  if (value === undefined) return defaultRestoreName(cluster, now);
  const max = etcdRestoreKind.name.maxLength;
  if (!namePattern.test(value) || value.length > max) {
    throw new CliError(`--name must be at most ${String(max)} lowercase letters, digits and '-', starting and ending with a letter or digit, got "${value}"; or leave it out for ${defaultRestoreName(cluster, now)}`, ExitCode.usage);
  }
  return value;
}

/**
 * A new EtcdRestore of a cluster, labelled with it and owned by it (as its
 * backups are): deleting the Cluster deletes the record of its restores.
 * Without `backupName` the operator picks the newest completed backup.
 */
export function newEtcdRestore(namespace: string, name: string, owner: Cluster, backupName?: string): EtcdRestore {
  const clusterName = owner.metadata.name ?? "";
  return {
    apiVersion,
    kind: "EtcdRestore",
    metadata: { name, namespace, labels: { [backupClusterLabel]: clusterName }, ownerReferences: [clusterOwnerReference(owner)] },
    spec: { clusterName, ...(backupName === undefined ? {} : { backupName }) },
  };
}
