
import { seedLabels, seedNamespace, seedPorts, type Manifest } from "./names.ts";

/** How the API is exposed. */
export interface ExposureInput {
  readonly clusterId: string;
  readonly serviceType: "NodePort" | "LoadBalancer";
  readonly allowedSourceRanges: readonly string[];
  readonly apiServerReplicas: number;
  readonly etcdMembers: number;
}

/** etcd's headless Service (stable member names) and the API's own Service (NodePort or LoadBalancer). */
export function renderServices(input: ExposureInput): Manifest[] {
  const ns = seedNamespace(input.clusterId);
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "etcd", namespace: ns, labels: seedLabels(input.clusterId, "etcd") },
      spec: {
        clusterIP: "None",
        // Members must resolve each other before they are ready, to form a quorum.
        publishNotReadyAddresses: true,
        selector: seedLabels(input.clusterId, "etcd"),
        ports: [
          { name: "client", port: seedPorts.etcdClient, targetPort: seedPorts.etcdClient },
          { name: "peer", port: seedPorts.etcdPeer, targetPort: seedPorts.etcdPeer },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-apiserver", namespace: ns, labels: seedLabels(input.clusterId, "kube-apiserver") },
      spec: {
        type: input.serviceType,
        selector: seedLabels(input.clusterId, "kube-apiserver"),
        ports: [{ name: "https", port: seedPorts.apiServer, targetPort: seedPorts.apiServer }],
        ...sourceFiltering(input),
      },
    },
  ] as Manifest[];
}

/**
 * What makes allowedSourceRanges hold. With the default
 * externalTrafficPolicy Cluster, a node that has no API server pod
 * forwards the connection to one that has, and kube-proxy rewrites its
 * source to the forwarding node's address: the NetworkPolicy (and a load
 * balancer's own filter) would see the seed's nodes, not the client. Local
 * keeps the client's address, at a price a user must know: only the nodes
 * that run a kube-apiserver pod answer on the NodePort (the endpoint names
 * one of those), and a load balancer sends only to them (by its health
 * check on healthCheckNodePort). Without ranges nothing is filtered, and
 * every node answers.
 */
function sourceFiltering(input: ExposureInput): Record<string, unknown> {
  if (input.allowedSourceRanges.length === 0) return {};
  return {
    externalTrafficPolicy: "Local",
    ...(input.serviceType === "LoadBalancer" ? { loadBalancerSourceRanges: [...input.allowedSourceRanges] } : {}),
  };
}

/**
 * Default deny, then exactly the paths a control plane needs: etcd clients
 * only from its kube-apiserver, peers only from etcd; the API from the
 * allowed sources (anyone when none are listed) and its own controllers.
 */
export function renderNetworkPolicies(input: ExposureInput): Manifest[] {
  const ns = seedNamespace(input.clusterId);
  const policy = (name: string, component: string | undefined, ingress: object[]): Manifest =>
    ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, namespace: ns, labels: seedLabels(input.clusterId) },
      spec: { podSelector: component === undefined ? {} : { matchLabels: seedLabels(input.clusterId, component) }, policyTypes: ["Ingress"], ingress },
    });
  const from = (component: string): object => ({ podSelector: { matchLabels: seedLabels(input.clusterId, component) } });
  const apiSources = input.allowedSourceRanges.length > 0 ? [...input.allowedSourceRanges.map((cidr) => ({ ipBlock: { cidr } })), from("kube-controller-manager"), from("kube-scheduler"), from("kwok")] : [];
  return [
    policy("default-deny", undefined, []),
    policy("etcd", "etcd", [
      { from: [from("kube-apiserver")], ports: [{ port: seedPorts.etcdClient }] },
      { from: [from("etcd")], ports: [{ port: seedPorts.etcdPeer }, { port: seedPorts.etcdClient }] },
    ]),
    policy("kube-apiserver", "kube-apiserver", [apiSources.length > 0 ? { from: apiSources, ports: [{ port: seedPorts.apiServer }] } : { ports: [{ port: seedPorts.apiServer }] }]),
  ];
}

/**
 * At most one member or replica down at a time during voluntary disruptions
 * (node drains) — for components that run more than one. A budget over a
 * single pod protects nothing and only costs the seed status updates.
 */
export function renderDisruptionBudgets(input: ExposureInput): Manifest[] {
  const ns = seedNamespace(input.clusterId);
  const pdb = (component: string): Manifest =>
    ({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: component, namespace: ns, labels: seedLabels(input.clusterId, component) },
      spec: { maxUnavailable: 1, selector: { matchLabels: seedLabels(input.clusterId, component) } },
    });
  return [...(input.etcdMembers > 1 ? [pdb("etcd")] : []), ...(input.apiServerReplicas > 1 ? [pdb("kube-apiserver")] : [])];
}
