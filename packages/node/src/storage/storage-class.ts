import type { V1StorageClass } from "@kubernetes/client-node";
import { defaultClassAnnotation, provisionerName, reclaimPolicy } from "./names.ts";

/**
 * The StorageClass of the provisioner. WaitForFirstConsumer: a local volume
 * lives on one node, so the claim must wait until the scheduler has picked
 * the node of its first pod (and says so in the claim's selected-node
 * annotation); binding at once would pin the pod to a node chosen blindly.
 * Applied server-side on every start, so turning `makeDefault` off removes
 * the default annotation again (the field manager owned it).
 */
export function renderStorageClass(name: string, makeDefault: boolean): V1StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name, ...(makeDefault ? { annotations: { [defaultClassAnnotation]: "true" } } : {}) },
    provisioner: provisionerName,
    reclaimPolicy,
    volumeBindingMode: "WaitForFirstConsumer",
  };
}
