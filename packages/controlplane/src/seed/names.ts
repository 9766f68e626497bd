import type { KubernetesObject } from "@kubernetes/client-node";

/** The seed namespace holding one cluster's control plane. */
export function seedNamespace(clusterId: string): string {
  return `cluster-${clusterId}`;
}

/** Labels on every object the seed driver writes; the last two find a cluster's objects and Pods. */
export function seedLabels(clusterId: string, component?: string): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "seedbed",
    "app.kubernetes.io/part-of": "seedbed-control-plane",
    "seedbed.dev/cluster-id": clusterId,
    ...(component === undefined ? {} : { "seedbed.dev/component": component }),
  };
}

/** Where each component finds its files inside its container. */
export const mountPaths = {
  etcdPKI: "/etc/etcd/pki",
  etcdData: "/var/lib/etcd",
  apiServerPKI: "/etc/kubernetes/pki",
  kubeconfig: "/etc/kubernetes/kubeconfig",
} as const;

/** Ports inside the pods. */
export const seedPorts = { apiServer: 6443, etcdClient: 2379, etcdPeer: 2380, etcdMetrics: 2381, controllerManager: 10257, scheduler: 10259 } as const;

/** The in-seed DNS names of a cluster's API and etcd, for its certificates and kubeconfigs. */
export function seedServiceNames(clusterId: string): { apiServer: string[]; etcd: string[] } {
  const ns = seedNamespace(clusterId);
  const svc = (name: string): string[] => [name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
  return { apiServer: svc("kube-apiserver"), etcd: [...svc("etcd"), `*.etcd.${ns}.svc`, `*.etcd.${ns}.svc.cluster.local`] };
}

/** A Kubernetes object as the seed driver writes it: plain JSON, any fields. */
export type Manifest = KubernetesObject & { readonly [field: string]: unknown };
