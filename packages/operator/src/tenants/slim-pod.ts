import type { KubernetesObject, V1Pod } from "@kubernetes/client-node";

/**
 * What node pools read of a tenant's Pods: where it runs or why it cannot,
 * what it asks for, where it may go, and whether a DaemonSet owns it.
 * Tenants may run many pods; caching them whole would cost the operator
 * their full specs.
 */
export function slimPod(obj: KubernetesObject): KubernetesObject {
  const pod = obj as V1Pod;
  const m = pod.metadata ?? {};
  const spec = pod.spec;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, deletionTimestamp: m.deletionTimestamp, annotations: mirrorOnly(m.annotations), ownerReferences: m.ownerReferences?.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid, controller: o.controller })) },
    spec: {
      nodeName: spec?.nodeName,
      nodeSelector: spec?.nodeSelector,
      tolerations: spec?.tolerations,
      containers: (spec?.containers ?? []).map((c) => ({ name: c.name, resources: { requests: c.resources?.requests } })),
    },
    status: { phase: pod.status?.phase, conditions: pod.status?.conditions?.filter((c) => c.type === "PodScheduled").map((c) => ({ type: c.type, status: c.status, reason: c.reason })) },
  } as KubernetesObject;
}

function mirrorOnly(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  const mirror = annotations?.["kubernetes.io/config.mirror"];
  return mirror === undefined ? undefined : { "kubernetes.io/config.mirror": mirror };
}
