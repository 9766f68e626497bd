import Type from "typebox";
import { ageColumn, phaseColumn, type KindDefinition } from "../crd/definition.ts";
import { StatusOf } from "../schema/common.ts";
import { maxNameLength, referenceRule } from "../schema/names.ts";
import type { ResourceOf } from "../schema/resource.ts";
import { immutableRule } from "../schema/rules.ts";

/** Which snapshot to restore into which cluster. */
export const EtcdRestoreSpec = Type.Object({
  clusterName: Type.String({ maxLength: 63, "x-kubernetes-validations": [referenceRule("a Cluster in this namespace")] }),
  backupName: Type.Optional(Type.String({
    maxLength: 63,
    description: "A Completed EtcdBackup in this namespace: of the same cluster (a restore) or of another one (a clone of its data into this cluster). Left out: the newest Completed backup of the cluster.",
    "x-kubernetes-validations": [referenceRule("an EtcdBackup in this namespace")],
  })),
}, { "x-kubernetes-validations": [immutableRule("spec", "create another EtcdRestore")] });

/** An EtcdRestore's phases. */
export const etcdRestorePhases = ["Pending", "Restoring", "Completed", "Failed"] as const;

/** How the restore went. */
export const EtcdRestoreStatus = StatusOf(etcdRestorePhases, {
  startTime: Type.Optional(Type.String({ format: "date-time" })),
  completionTime: Type.Optional(Type.String({ format: "date-time" })),
  dataRestoredTime: Type.Optional(Type.String({ format: "date-time", description: "When etcd's data was replaced by the snapshot's; the control plane starts again from then, and the restore completes once the cluster is Ready after it." })),
  backupName: Type.Optional(Type.String({ description: "The EtcdBackup restored (spec.backupName, or the newest one when it is left out)." })),
  snapshotRevision: Type.Optional(Type.Integer({ minimum: 0, description: "The etcd revision the snapshot holds." })),
  restoredRevision: Type.Optional(Type.Integer({ minimum: 0, description: "The revision etcd continues from: the snapshot's, raised past every revision clients saw before (and compacted), so their watches relist." })),
});

/** The EtcdRestore resource schema. */
export const EtcdRestoreSchema = Type.Object({ spec: EtcdRestoreSpec, status: Type.Optional(EtcdRestoreStatus) });

/** A request to put a cluster's etcd back to a snapshot. */
export type EtcdRestore = ResourceOf<"EtcdRestore", typeof EtcdRestoreSchema>;

/** EtcdRestore as a CRD. */
export const etcdRestoreKind: KindDefinition = {
  kind: "EtcdRestore",
  plural: "etcdrestores",
  singular: "etcdrestore",
  shortNames: ["er", "sbrestore"],
  scope: "Namespaced",
  name: { maxLength: maxNameLength.etcdRestore, why: "the longest name Kubernetes allows for a label value" },
  schema: EtcdRestoreSchema,
  description: "Puts a cluster's etcd back to an EtcdBackup: the control plane stops, etcd is restored from the snapshot, and everything starts again.",
  printerColumns: [
    { name: "Cluster", type: "string", jsonPath: ".spec.clusterName" },
    { name: "Backup", type: "string", jsonPath: ".status.backupName" },
    phaseColumn,
    { name: "Completed", type: "date", jsonPath: ".status.completionTime" },
    ageColumn,
  ],
};

/**
 * Set by the operator on the EtcdRestore it creates when a cluster's etcd
 * lost its quorum for good (the value says what was lost): such a restore
 * does not wait for the cluster to serve, which it never will again on its own.
 */
export const quorumRecoveryAnnotation = "seedbed.dev/quorum-recovery";
