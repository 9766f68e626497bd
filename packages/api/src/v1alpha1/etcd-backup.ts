import Type from "typebox";
import { ageColumn, phaseColumn, type KindDefinition } from "../crd/definition.ts";
import { StatusOf } from "../schema/common.ts";
import { StringEnum } from "../schema/primitives.ts";
import { maxNameLength, referenceRule } from "../schema/names.ts";
import type { ResourceOf } from "../schema/resource.ts";
import { immutableRule } from "../schema/rules.ts";

/**
 * Asks for a restore drill of an EtcdBackup: a new value (the time of the
 * request, ISO 8601) runs one; status.verification.requestedAt answers it.
 * Set by `seedbed backup verify`, the REST API and the cluster's drill
 * schedule.
 */
export const verifyAnnotation = "seedbed.dev/verify";

/** A snapshot to take of one cluster's etcd. */
export const EtcdBackupSpec = Type.Object({
  clusterName: Type.String({ maxLength: 63, "x-kubernetes-validations": [referenceRule("a Cluster in this namespace")] }),
}, { "x-kubernetes-validations": [immutableRule("spec", "create another EtcdBackup")] });

/** An EtcdBackup's phases. */
export const etcdBackupPhases = ["Pending", "Running", "Completed", "Failed"] as const;

/** What an EtcdBackup stores: an etcd snapshot, or the export of a shared etcd's tenant prefix. */
export const etcdBackupFormats = ["Snapshot", "PrefixExport"] as const;

/** Where the snapshot went and what it holds. */
export const EtcdBackupStatus = StatusOf(etcdBackupPhases, {
  format: Type.Optional(StringEnum(etcdBackupFormats, { description: "What is stored: Snapshot, a snapshot of the cluster's own etcd (etcdctl snapshot save); PrefixExport, for a cluster whose datastore is Shared, every key under its prefix of the seed's shared etcd at one revision and nothing of the other tenants (JSON lines with a checksum trailer). Absent: Snapshot (backups taken before this field)." })),
  location: Type.Optional(Type.String({ description: "Where the snapshot is stored (s3://bucket/key or a local path)." })),
  sizeBytes: Type.Optional(Type.Integer({ minimum: 0 })),
  revision: Type.Optional(Type.Integer({ minimum: 0, description: "The etcd revision the snapshot holds (of a PrefixExport: the shared etcd's revision the prefix was read at)." })),
  sha256: Type.Optional(Type.String({ pattern: "^[0-9a-f]{64}$" })),
  store: Type.Optional(Type.Object({
    from: StringEnum(["cluster", "template", "project", "seed", "platform"], { description: "Whose settings named the store: the cluster's spec.backup.storage, its template's, its project's or its seed's spec.backupStorage, or the platform's own store." }),
    endpoint: Type.String(),
    bucket: Type.String(),
    region: Type.String(),
    key: Type.String({ description: "The object's key in the bucket." }),
    credentialsSecretRef: Type.Optional(Type.Object({ namespace: Type.String(), name: Type.String(), key: Type.String() }, { description: "The Secret whose credentials reach it (none: the platform's own store)." })),
  }, { description: "Where the snapshot was stored, as recorded when it was: restores, drills and deletion use this, whatever the settings say later." })),
  etcdVersion: Type.Optional(Type.String({ description: "The storage version of the etcd that wrote the snapshot (a restore refuses one newer than its etcd)." })),
  keys: Type.Optional(Type.Integer({ minimum: 0, description: "Keys in the snapshot's database, every revision of each (etcdutl snapshot status); of a PrefixExport, the live keys under the cluster's prefix." })),
  verification: Type.Optional(Type.Object({
    requestedAt: Type.String({ description: "The drill this answers: the seedbed.dev/verify annotation it was asked for with." }),
    time: Type.String({ format: "date-time", description: "When the drill ran." }),
    passed: Type.Boolean(),
    message: Type.String({ description: "What the drill found: revision, keys and the sample read back, or why it failed." }),
  }, { description: "The last restore drill of this snapshot: restored into a scratch etcd, checked and thrown away." })),
  startTime: Type.Optional(Type.String({ format: "date-time" })),
  completionTime: Type.Optional(Type.String({ format: "date-time" })),
  scheduled: Type.Optional(Type.Boolean({ description: "Taken by the cluster's backup schedule (and pruned by its retention)." })),
});

/** The EtcdBackup resource schema. */
export const EtcdBackupSchema = Type.Object({ spec: EtcdBackupSpec, status: Type.Optional(EtcdBackupStatus) });

/** A snapshot of a cluster's etcd, taken once. */
export type EtcdBackup = ResourceOf<"EtcdBackup", typeof EtcdBackupSchema>;

/** EtcdBackup as a CRD. */
export const etcdBackupKind: KindDefinition = {
  kind: "EtcdBackup",
  plural: "etcdbackups",
  singular: "etcdbackup",
  shortNames: ["eb", "sbbackup"],
  scope: "Namespaced",
  name: { maxLength: maxNameLength.etcdBackup, why: "the longest name Kubernetes allows for a label value" },
  schema: EtcdBackupSchema,
  description: "A snapshot of a cluster's etcd: created by hand or by the cluster's backup schedule; deleting it deletes the stored snapshot.",
  printerColumns: [
    { name: "Cluster", type: "string", jsonPath: ".spec.clusterName" },
    phaseColumn,
    { name: "Size", type: "integer", jsonPath: ".status.sizeBytes" },
    { name: "Revision", type: "integer", jsonPath: ".status.revision", priority: 1 },
    { name: "Format", type: "string", jsonPath: ".status.format", priority: 1 },
    { name: "Location", type: "string", jsonPath: ".status.location", priority: 1 },
    { name: "Completed", type: "date", jsonPath: ".status.completionTime" },
    ageColumn,
  ],
};
