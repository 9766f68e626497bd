import type { V1Secret } from "@kubernetes/client-node";
import type { Cluster, ClusterTemplate, EtcdBackup, Project, Seed } from "@seedbed/api";
import { S3Store, type S3Credentials, type S3Location } from "@seedbed/backup";

/** The platform's own store (`seedbed up` runs one), used when nothing names another. */
export interface DefaultBackupStore {
  readonly location: S3Location;
  readonly credentials: S3Credentials;
}

/** What may name a cluster's store besides the cluster itself, most specific first. */
export interface StoreSources {
  readonly template?: ClusterTemplate;
  readonly project?: Project;
  readonly seed?: Seed;
}

/** The stores the operator knows: the platform's own, and what names one for each cluster. */
export interface BackupStores {
  readonly platform?: DefaultBackupStore;
  /** The cluster's template, project and seed, from the caches. */
  sourcesOf(cluster: Cluster): StoreSources;
}

/** Where a snapshot was stored, as an EtcdBackup records it. */
export type StoreRecord = NonNullable<NonNullable<EtcdBackup["status"]>["store"]>;

/** Reads a Secret of the management cluster, or undefined when there is none. */
export type SecretReader = (namespace: string, name: string) => Promise<V1Secret | undefined>;

/** A store that cannot be used, with the fix in the message. */
export class BackupStoreError extends Error {}

type S3Settings = NonNullable<NonNullable<Project["spec"]["backupStorage"]>["s3"]>;

/** The store a cluster's new snapshots go to, and what to record of it for a snapshot stored under `key`. */
export interface ClusterStore {
  readonly store: S3Store;
  readonly record: (key: string) => StoreRecord;
}

/**
 * The store a cluster's snapshots go to: the first of the cluster's
 * spec.backup.storage, its template's, its project's and its seed's
 * spec.backupStorage that names one (with the credentials of the Secret
 * it names), else the platform's own store. Each cluster's snapshots live
 * under a prefix of their own: the store's prefix, then the cluster's id.
 */
export async function backupStoreFor(cluster: Cluster, clusterId: string, stores: BackupStores, readSecret: SecretReader): Promise<ClusterStore> {
  const first = namedStores(cluster, stores.sourcesOf(cluster)).find((n) => n.s3 !== undefined);
  if (first?.s3 !== undefined) {
    const { s3 } = first;
    const ref = { namespace: first.secretNamespace(s3.credentialsSecretRef), name: s3.credentialsSecretRef.name, key: s3.credentialsSecretRef.key };
    const credentials = await readCredentials(ref, `${first.field}.credentialsSecretRef`, readSecret);
    const prefix = `${s3.prefix ?? ""}${clusterId}/`;
    return {
      store: new S3Store({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, prefix }, credentials),
      record: (key) => ({ from: first.from, endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, key: `${prefix}${key}`, credentialsSecretRef: ref }),
    };
  }
  const { platform } = stores;
  if (platform === undefined) throw new BackupStoreError("no store is named for this cluster (spec.backup.storage of the cluster or its template, spec.backupStorage of its project or seed) and the platform has none of its own (`seedbed up` runs one): name one");
  const prefix = `${platform.location.prefix ?? ""}${clusterId}/`;
  const { endpoint, bucket, region } = platform.location;
  return { store: new S3Store({ ...platform.location, prefix }, platform.credentials), record: (key) => ({ from: "platform", endpoint, bucket, region, key: `${prefix}${key}` }) };
}

/** A place that may name a cluster's store, most specific first: what it says, the field (for messages) and where its Secret is. */
interface NamedStore {
  readonly from: StoreRecord["from"];
  readonly s3: S3Settings | undefined;
  readonly field: string;
  readonly secretNamespace: (ref: S3Settings["credentialsSecretRef"]) => string;
}

function namedStores(cluster: Cluster, sources: StoreSources): NamedStore[] {
  // Clusters, templates and projects name Secrets of the cluster's own namespace (admission refuses another).
  const own = (): string => cluster.metadata.namespace ?? "";
  return [
    { from: "cluster", s3: cluster.spec.backup?.storage?.s3, field: "spec.backup.storage.s3", secretNamespace: own },
    { from: "template", s3: sources.template?.spec.backup?.storage?.s3, field: `ClusterTemplate ${sources.template?.metadata.name ?? ""} spec.backup.storage.s3`, secretNamespace: own },
    { from: "project", s3: sources.project?.spec.backupStorage?.s3, field: `Project ${sources.project?.metadata.name ?? ""} spec.backupStorage.s3`, secretNamespace: own },
    { from: "seed", s3: sources.seed?.spec.backupStorage?.s3, field: `Seed ${sources.seed?.metadata.name ?? ""} spec.backupStorage.s3`, secretNamespace: (ref) => ref.namespace ?? "" },
  ];
}

/** The store a snapshot was recorded in, with its credentials now; the snapshot is at the record's key (the store has no prefix). */
export async function recordedStore(record: StoreRecord, platform: DefaultBackupStore | undefined, readSecret: SecretReader): Promise<S3Store> {
  const location = { endpoint: record.endpoint, bucket: record.bucket, region: record.region, prefix: "" };
  const ref = record.credentialsSecretRef;
  if (ref !== undefined) return new S3Store(location, await readCredentials(ref, "the credentials Secret the backup was stored with", readSecret));
  if (platform === undefined) throw new BackupStoreError(`the snapshot is in the platform's own store (${record.endpoint}), which this operator does not run`);
  return new S3Store(location, platform.credentials);
}

/** Where an EtcdBackup's snapshot is kept in its cluster's store: by name, and by uid so a later backup of the same name never overwrites it. */
export function snapshotKey(backup: EtcdBackup): string {
  return `${backup.metadata.name ?? "backup"}-${(backup.metadata.uid ?? "").slice(0, 8)}.db`;
}

/** The credentials a Secret's key holds (JSON); the messages name the field and never the content. */
async function readCredentials(ref: { namespace: string; name: string; key: string }, field: string, readSecret: SecretReader): Promise<S3Credentials> {
  const secret = await readSecret(ref.namespace, ref.name);
  if (secret === undefined) throw new BackupStoreError(`${field}: Secret ${ref.namespace}/${ref.name} does not exist; create it with key ${ref.key}`);
  const encoded = secret.data?.[ref.key];
  if (encoded === undefined) throw new BackupStoreError(`${field}: Secret ${ref.namespace}/${ref.name} has no key ${ref.key}; add it`);
  let credentials: S3Credentials;
  try {
    credentials = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as S3Credentials;
  } catch {
    throw new BackupStoreError(`${field}: key ${ref.key} of Secret ${ref.namespace}/${ref.name} is not JSON; write {"accessKeyId": "…", "secretAccessKey": "…"}`);
  }
  if (typeof credentials.accessKeyId !== "string" || typeof credentials.secretAccessKey !== "string") {
    throw new BackupStoreError(`${field}: key ${ref.key} of Secret ${ref.namespace}/${ref.name} needs accessKeyId and secretAccessKey`);
  }
  return credentials;
}
