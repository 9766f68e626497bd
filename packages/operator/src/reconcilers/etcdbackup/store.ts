import type { V1Secret } from "@kubernetes/client-node";
import type { Cluster, EtcdBackup } from "@seedbed/api";
import { S3Store, type S3Credentials, type S3Location } from "@seedbed/backup";

/** The platform's own store (`seedbed up` runs one), used when a cluster names none. */
export interface DefaultBackupStore {
  readonly location: S3Location;
  readonly credentials: S3Credentials;
}

/** A store that cannot be used, with the fix in the message. */
export class BackupStoreError extends Error {}

/**
 * The store a cluster's snapshots go to: spec.backup.storage.s3 with the
 * credentials Secret it names (JSON {accessKeyId, secretAccessKey,
 * sessionToken?} in its key), else the platform's default store. Each
 * cluster's snapshots live under a prefix of their own: the store's
 * prefix, then the cluster's id.
 */
export async function backupStoreFor(cluster: Cluster, clusterId: string, platform: DefaultBackupStore | undefined, readSecret: (namespace: string, name: string) => Promise<V1Secret | undefined>): Promise<S3Store> {
  const s3 = cluster.spec.backup?.storage?.s3;
  if (s3 === undefined) {
    if (platform === undefined) throw new BackupStoreError("the platform has no backup store of its own (`seedbed up` runs one) and spec.backup.storage.s3 of the cluster names none: add one");
    return new S3Store({ ...platform.location, prefix: `${platform.location.prefix ?? ""}${clusterId}/` }, platform.credentials);
  }
  const namespace = cluster.metadata.namespace ?? "";
  const ref = s3.credentialsSecretRef;
  const secret = await readSecret(namespace, ref.name);
  if (secret === undefined) throw new BackupStoreError(`spec.backup.storage.s3.credentialsSecretRef: Secret ${namespace}/${ref.name} does not exist; create it with key ${ref.key}`);
  const encoded = secret.data?.[ref.key];
  if (encoded === undefined) throw new BackupStoreError(`spec.backup.storage.s3.credentialsSecretRef: Secret ${namespace}/${ref.name} has no key ${ref.key}; add it`);
  let credentials: S3Credentials;
  try {
    credentials = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as S3Credentials;
  } catch {
    // Never the content in the message: it is a secret.
    throw new BackupStoreError(`spec.backup.storage.s3.credentialsSecretRef: key ${ref.key} of Secret ${namespace}/${ref.name} is not JSON; write {"accessKeyId": "…", "secretAccessKey": "…"}`);
  }
  if (typeof credentials.accessKeyId !== "string" || typeof credentials.secretAccessKey !== "string") {
    throw new BackupStoreError(`spec.backup.storage.s3.credentialsSecretRef: key ${ref.key} of Secret ${namespace}/${ref.name} needs accessKeyId and secretAccessKey`);
  }
  return new S3Store({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, prefix: `${s3.prefix ?? ""}${clusterId}/` }, credentials);
}

/** Where an EtcdBackup's snapshot is kept in its cluster's store: by name, and by uid so a later backup of the same name never overwrites it. */
export function snapshotKey(backup: EtcdBackup): string {
  return `${backup.metadata.name ?? "backup"}-${(backup.metadata.uid ?? "").slice(0, 8)}.db`;
}
