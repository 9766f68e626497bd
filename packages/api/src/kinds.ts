import type { KindDefinition } from "./crd/definition.ts";
import {
  clusterKind,
  clusterPolicyKind,
  clusterSyncKind,
  clusterTemplateKind,
  etcdBackupKind,
  etcdRestoreKind,
  nodePoolKind,
  projectKind,
  seedKind,
  upgradePlanKind,
} from "./v1alpha1/index.ts";

/** Every kind of the seedbed.dev API, in the order their CRDs are installed. */
export const allKinds: readonly KindDefinition[] = [
  projectKind,
  seedKind,
  clusterTemplateKind,
  clusterKind,
  nodePoolKind,
  etcdBackupKind,
  etcdRestoreKind,
  clusterPolicyKind,
  clusterSyncKind,
  upgradePlanKind,
];
