import type { KubernetesObject } from "@kubernetes/client-node";
import { versionAnnotation } from "./workloads.ts";

type Loose = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** The metadata every cache entry keeps: identity, labels, and the resourceVersion watches resume from. */
function meta(obj: Loose, withGeneration = false, annotations?: Record<string, string>): KubernetesObject {
  const m = obj.metadata ?? {};
  const generation = withGeneration ? { generation: m.generation } : {};
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, labels: m.labels, deletionTimestamp: m.deletionTimestamp, ...generation, ...(annotations === undefined ? {} : { annotations }) } };
}

/**
 * What the seed driver keeps of each object it watches: only the fields
 * componentHealth and the endpoint read. A thousand control planes are
 * ~10,000 seed objects; cached whole they would cost the operator hundreds
 * of MB.
 */
export const slim = {
  metadata: (obj: KubernetesObject): KubernetesObject => meta(obj),
  workload: (obj: KubernetesObject): KubernetesObject => {
    const o = obj as Loose;
    const status = o.status ?? {};
    // generation and observedGeneration: a rollout the workload controller has not started yet is not "all updated".
    // The version annotation: the version every pod runs once the rollout is done.
    const version = o.metadata?.annotations?.[versionAnnotation];
    return { ...meta(o, true, version === undefined ? undefined : { [versionAnnotation]: version }), spec: { replicas: o.spec?.replicas }, status: { replicas: status.replicas, readyReplicas: status.readyReplicas, updatedReplicas: status.updatedReplicas, observedGeneration: status.observedGeneration } } as KubernetesObject;
  },
  pod: (obj: KubernetesObject): KubernetesObject => {
    const o = obj as Loose & { status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[]; containerStatuses?: { restartCount?: number; state?: { waiting?: unknown } }[] } };
    const status = o.status ?? {};
    return {
      ...meta(o),
      // The node it runs on: with externalTrafficPolicy Local only those nodes answer on the NodePort.
      spec: { nodeName: (o.spec as { nodeName?: string } | undefined)?.nodeName },
      status: {
        phase: status.phase,
        conditions: status.conditions?.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
        containerStatuses: status.containerStatuses?.map((c) => ({ restartCount: c.restartCount, state: { waiting: c.state?.waiting } })),
      },
    } as KubernetesObject;
  },
  service: (obj: KubernetesObject): KubernetesObject => {
    const o = obj as Loose & { spec?: { type?: string; externalTrafficPolicy?: string; ports?: { nodePort?: number }[] } };
    return { ...meta(o), spec: { type: o.spec?.type, externalTrafficPolicy: o.spec?.externalTrafficPolicy, ports: o.spec?.ports?.map((p) => ({ nodePort: p.nodePort })) }, status: { loadBalancer: o.status?.loadBalancer } } as KubernetesObject;
  },
  node: (obj: KubernetesObject): KubernetesObject => {
    const o = obj as Loose;
    return { ...meta(o), status: { addresses: o.status?.addresses } } as KubernetesObject;
  },
  namespace: (obj: KubernetesObject): KubernetesObject => meta(obj),
} as const;
