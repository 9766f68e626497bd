export { startOperator, type Operator, type OperatorOptions } from "./operator.ts";
export { ClusterReconciler, clusterFinalizer, type ClusterReconcilerOptions } from "./reconcilers/cluster/reconciler.ts";
export { clusterKindRef, clusterTemplateKindRef } from "./reconcilers/cluster/kinds.ts";
export type { PlatformAccess } from "./reconcilers/cluster/access.ts";
