import Type from "typebox";
import { ageColumn, phaseColumn, type KindDefinition } from "../crd/definition.ts";
import { StatusOf } from "../schema/common.ts";
import { maxNameLength, referenceRule } from "../schema/names.ts";
import type { ResourceOf } from "../schema/resource.ts";
import { immutableRule } from "../schema/rules.ts";

/** Which snapshot to restore into which cluster. */
export const EtcdRestoreSpec = Type.Object({
  clusterName: Type.String({ maxLength: 63, "x-kubernetes-validations": [referenceRule("a Cluster in this namespace")] }),
  backupName: Type.String({ maxLength: 63, description: "A Completed EtcdBackup of the same cluster.", "x-kubernetes-validations": [referenceRule("an EtcdBackup in this namespace")] }),
}, { "x-kubernetes-validations": [immutableRule("spec", "create another EtcdRestore")] });

/** An EtcdRestore's phases. */
export const etcdRestorePhases = ["Pending", "Restoring", "Completed", "Failed"] as const;

/** How the restore went. */
export const EtcdRestoreStatus = StatusOf(etcdRestorePhases, {
  startTime: Type.Optional(Type.String({ format: "date-time" })),
  completionTime: Type.Optional(Type.String({ format: "date-time" })),
  restoredRevision: Type.Optional(Type.Integer({ minimum: 0 })),
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
    { name: "Backup", type: "string", jsonPath: ".spec.backupName" },
    phaseColumn,
    { name: "Completed", type: "date", jsonPath: ".status.completionTime" },
    ageColumn,
  ],
};
