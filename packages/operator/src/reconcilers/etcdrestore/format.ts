import type { EtcdBackup } from "@seedbed/api";

/** How a backup is put back into a cluster, or why it cannot be (terminal, nothing touched). */
export type RestorePath =
  | { readonly path: "snapshot"; readonly noun: "snapshot" }
  | { readonly path: "prefix"; readonly noun: "prefix export"; readonly seed: string }
  | { readonly refused: { readonly reason: "FormatNotRestorable" | "NotSupported"; readonly message: string } };

/** What restorePath looks at. */
export interface RestorePathInput {
  readonly backup: EtcdBackup;
  /** The cluster restored into, by name. */
  readonly clusterName: string;
  /** The seed whose shared etcd holds the cluster's keys now (the driver's record), or undefined: an etcd of its own. */
  readonly sharedSeed: string | undefined;
  /** The hosting driver: its name, and which restores it carries out (restoreEtcd, restoreSharedTenant). */
  readonly driver: { readonly name: string; readonly snapshots: boolean; readonly prefixes: boolean };
}

/**
 * Which restore fits a backup and its target: a snapshot goes into an etcd
 * of the cluster's own (staged and swapped in), a prefix export into the
 * cluster's prefix of a shared etcd (imported). The two other pairings are
 * refused with the way round them: a snapshot holds a whole etcd, which a
 * shared etcd's prefix cannot take as it is, and an export holds keys, not
 * the data directory an etcd of its own starts from. Pure.
 */
export function restorePath(input: RestorePathInput): RestorePath {
  const { backup, clusterName, sharedSeed, driver } = input;
  const name = backup.metadata.name ?? "?";
  const exported = backup.status?.format === "PrefixExport";
  const unsupported = (what: string): RestorePath => ({ refused: { reason: "NotSupported", message: `restores of ${what} on driver ${driver.name} are not supported` } });
  if (sharedSeed === undefined && !exported) return driver.snapshots ? { path: "snapshot", noun: "snapshot" } : unsupported("clusters with an etcd of their own");
  if (sharedSeed !== undefined && exported) return driver.prefixes ? { path: "prefix", noun: "prefix export", seed: sharedSeed } : unsupported("clusters in a shared etcd");
  if (exported) {
    return {
      refused: {
        reason: "FormatNotRestorable",
        message: `backup ${name} is a prefix export of cluster ${backup.spec.clusterName}'s keys in a shared etcd, and cluster ${clusterName} has an etcd of its own, which restores only from a snapshot: restore it into a cluster whose spec.controlPlane.datastore.type is Shared (an EtcdRestore naming the backup there clones it), or set that type on ${clusterName} first (its data moves to the shared etcd) and restore then`,
      },
    };
  }
  return {
    refused: {
      reason: "FormatNotRestorable",
      message: `backup ${name} is a snapshot of cluster ${backup.spec.clusterName}'s own etcd, and cluster ${clusterName} keeps its keys under a prefix of seed ${sharedSeed ?? "?"}'s shared etcd, into which a snapshot is not imported: restore it into a cluster whose spec.controlPlane.datastore.type is Dedicated (an EtcdRestore naming the backup there clones it) and then set that cluster's type to Shared (its data moves with it), or restore ${clusterName} from a backup taken since it is Shared`,
    },
  };
}
