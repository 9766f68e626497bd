import type { KubernetesObject } from "@kubernetes/client-node";

/** Where the seed's DNS runs and what it answers for. */
export interface SeedDNSInput {
  /** The CoreDNS image (imported into the seed's nodes). */
  readonly image: string;
  /** The DNS Service's ClusterIP (kubelets write it into pods' resolv.conf). */
  readonly address: string;
  readonly domain: string;
}

const namespace = "kube-system";
const name = "coredns";
const labels = { "k8s-app": "kube-dns", "app.kubernetes.io/managed-by": "seedbed" };
/** An unprivileged port: CoreDNS runs as non-root without capabilities; the Service maps 53 to it. */
const dnsPort = 1053;

/**
 * The Corefile Kubernetes ships, minus forwarding: the seed's pods resolve
 * cluster names (tenant control planes find etcd and each other by their
 * Services' names); this machine has no upstream DNS to forward to.
 * Denials of cluster names are not cached: a tenant's kube-apiserver
 * starts while its etcd pod still waits for its volume, and a cached "no
 * such name" for etcd-0 would outlast its retries (it exits, and the
 * kubelet's back-off adds 10 s to every such start). The kubernetes plugin
 * answers from its own informers, so the cache saved nothing there.
 */
export function seedCorefile(domain: string): string {
  return `.:${dnsPort} {
    errors
    health :8080
    ready :8181
    kubernetes ${domain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus :9153
    cache 30 {
        disable denial ${domain}
    }
    loop
    reload
    loadbalance
}
`;
}

/**
 * The seed's cluster DNS: CoreDNS as a Deployment in kube-system with the
 * least RBAC its kubernetes plugin needs (read Services, EndpointSlices,
 * Namespaces and Pods), non-root with a read-only root, and the kube-dns
 * Service at `address`.
 */
export function seedDNSManifests(input: SeedDNSInput): KubernetesObject[] {
  const meta = { name, namespace, labels };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "seedbed:coredns", labels },
      rules: [
        { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
    } as KubernetesObject,
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "seedbed:coredns", labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "seedbed:coredns" },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    } as KubernetesObject,
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { Corefile: seedCorefile(input.domain) } } as KubernetesObject,
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: { "k8s-app": "kube-dns" } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            priorityClassName: "system-cluster-critical",
            // Its own resolv.conf would point at itself.
            dnsPolicy: "Default",
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name,
                image: input.image,
                imagePullPolicy: "IfNotPresent",
                args: ["-conf", "/etc/coredns/Corefile"],
                ports: [
                  { name: "dns", containerPort: dnsPort, protocol: "UDP" },
                  { name: "dns-tcp", containerPort: dnsPort, protocol: "TCP" },
                  { name: "metrics", containerPort: 9153, protocol: "TCP" },
                ],
                resources: { requests: { cpu: "10m", memory: "20Mi" }, limits: { memory: "120Mi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                livenessProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 10, failureThreshold: 5 },
                readinessProbe: { httpGet: { path: "/ready", port: 8181 }, periodSeconds: 2 },
                volumeMounts: [{ name: "config", mountPath: "/etc/coredns", readOnly: true }],
              },
            ],
            volumes: [{ name: "config", configMap: { name, items: [{ key: "Corefile", path: "Corefile" }] } }],
          },
        },
      },
    } as KubernetesObject,
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-dns", namespace, labels },
      spec: {
        clusterIP: input.address,
        selector: { "k8s-app": "kube-dns" },
        ports: [
          { name: "dns", port: 53, targetPort: dnsPort, protocol: "UDP" },
          { name: "dns-tcp", port: 53, targetPort: dnsPort, protocol: "TCP" },
        ],
      },
    } as KubernetesObject,
  ];
}
