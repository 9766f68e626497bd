
import { parseQuantity } from "@seedbed/runtime";
import { renderEtcd } from "../render/etcd.ts";
import { renderKubeAPIServer } from "../render/kube-apiserver.ts";
import { renderKubeControllerManager } from "../render/kube-controller-manager.ts";
import { renderKubeScheduler } from "../render/kube-scheduler.ts";
import type { ProcessSpec } from "../render/process-spec.ts";
import { smallClusterTuning } from "../render/small-cluster.ts";
import { mountPaths, seedLabels, seedNamespace, seedPorts, type Manifest } from "./names.ts";
import { secretName, type SeedComponent } from "./secrets.ts";
import { containerSecurity, podSecurity, secretMode } from "./security.ts";
import type { SeedImages } from "./images.ts";
import type { ComponentVersions } from "../driver.ts";

/** The annotation on each Kubernetes component's Deployment naming the version its pods run: what the driver reports once the rollout is done. */
export const versionAnnotation = "seedbed.dev/kubernetes-version";

/** What the seed's workloads are made from. */
export interface WorkloadInput {
  readonly clusterId: string;
  /** The Kubernetes version of each group of components (they differ while an upgrade rolls). */
  readonly versions: ComponentVersions;
  /** Every component's image reference, resolved (see resolveSeedImages). */
  readonly images: SeedImages;
  readonly apiServerReplicas: number;
  readonly etcdMembers: number;
  readonly etcdStorage: string;
  readonly serviceCIDR: string;
  readonly podCIDR: string;
  readonly dnsDomain: string;
  readonly checksums: Readonly<Record<SeedComponent, string>>;
  readonly apiServerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
}

const env = [
  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
  { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
];

/** A container's environment: the pod's name and IP, and the rendered process's own (Go runtime settings). */
function containerEnv(spec: ProcessSpec): object[] {
  return [...env, ...Object.entries(spec.env ?? {}).map(([name, value]) => ({ name, value }))];
}

/**
 * A component's Secret as a volume. It must be mounted as a directory,
 * never with subPath: the kubelet updates a mounted Secret's files in place
 * (within its sync period, about a minute) but never a subPath mount, and
 * the components pick up renewed certificates from those updates.
 */
function certsVolume(component: SeedComponent): object {
  return { name: "certs", secret: { secretName: secretName(component), defaultMode: secretMode } };
}

/** Spread the replicas of one component across nodes when the seed has several. */
function spread(clusterId: string, component: string): object {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: seedLabels(clusterId, component) } } }],
    },
  };
}

const mebibyte = 2 ** 20;

/**
 * etcd's backend quota for a volume of `storage`: half of what is left after
 * the WAL (five 64 MiB segments) and some slack, so a defragmentation's
 * temporary copy fits beside the database; between 64 MiB and etcd's
 * suggested maximum of 8 GiB. Over it etcd raises NOSPACE and refuses
 * writes (a state maintenance brings it out of) instead of failing on a
 * full disk. Memory is no bound: etcd gets no memory limit (see below).
 */
export function etcdQuotaFor(storage: string): number {
  const bytes = parseQuantity(storage);
  return Math.min(8 * 1024 * mebibyte, Math.max(64 * mebibyte, Math.floor((bytes - 384 * mebibyte) / 2)));
}

/** The etcd StatefulSet: 1, 3 or 5 members, a volume each, never a memory limit (etcd killed for memory loses its quorum). */
export function renderEtcdStatefulSet(input: WorkloadInput): Manifest {
  const ns = seedNamespace(input.clusterId);
  const peers = Array.from({ length: input.etcdMembers }, (_, i) => `etcd-${i}=https://etcd-${i}.etcd.${ns}.svc:${seedPorts.etcdPeer}`).join(",");
  const pki = (file: string): string => `${mountPaths.etcdPKI}/${file}`;
  const etcd = renderEtcd({
    binary: "etcd",
    dataDir: `${mountPaths.etcdData}/data`,
    clientPort: seedPorts.etcdClient,
    peerPort: seedPorts.etcdPeer,
    // Peers and clients are trusted by the bundle: both etcd CAs while one rotates.
    pki: { caFile: pki("etcd-ca-bundle.crt"), serverCertFile: pki("etcd-server.crt"), serverKeyFile: pki("etcd-server.key"), peerCertFile: pki("etcd-peer.crt"), peerKeyFile: pki("etcd-peer.key") },
    membership: { name: "$(POD_NAME)", listenHost: "0.0.0.0", advertiseHost: `$(POD_NAME).etcd.${ns}.svc`, initialCluster: peers, metricsURL: `http://0.0.0.0:${seedPorts.etcdMetrics}` },
    quotaBackendBytes: etcdQuotaFor(input.etcdStorage),
    // Tenants are small clusters, as on the local driver.
    tuning: smallClusterTuning.etcd,
  });
  const labels = seedLabels(input.clusterId, "etcd");
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "etcd", namespace: ns, labels },
    spec: {
      serviceName: "etcd",
      replicas: input.etcdMembers,
      // Members must find each other to form a quorum: start them together.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { "seedbed.dev/config-checksum": input.checksums.etcd } },
        spec: {
          affinity: spread(input.clusterId, "etcd"),
          automountServiceAccountToken: false,
          securityContext: podSecurity,
          containers: [
            {
              name: "etcd",
              image: input.images.etcd,
              command: [etcd.command],
              args: [...etcd.args],
              env: containerEnv(etcd),
              ports: [
                { name: "client", containerPort: seedPorts.etcdClient },
                { name: "peer", containerPort: seedPorts.etcdPeer },
                { name: "metrics", containerPort: seedPorts.etcdMetrics },
              ],
              readinessProbe: { httpGet: { path: "/readyz", port: seedPorts.etcdMetrics }, periodSeconds: 5, failureThreshold: 3 },
              livenessProbe: { httpGet: { path: "/livez", port: seedPorts.etcdMetrics }, periodSeconds: 10, failureThreshold: 8, initialDelaySeconds: 15 },
              resources: { requests: { cpu: "100m", memory: "256Mi" } },
              securityContext: containerSecurity,
              volumeMounts: [
                { name: "certs", mountPath: mountPaths.etcdPKI, readOnly: true },
                { name: "data", mountPath: mountPaths.etcdData },
              ],
            },
          ],
          volumes: [certsVolume("etcd")],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: "data", labels }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: input.etcdStorage } } } }],
    },
  };
}

/** kube-apiserver's readiness in a seed: /readyz without its etcd checks (see the probe). */
export const apiServerReadinessPath = "/readyz?exclude=etcd&exclude=etcd-readiness";

/** The kube-apiserver Deployment: replicas from the spec, probes on /livez and /readyz. */
export function renderAPIServerDeployment(input: WorkloadInput): Manifest {
  const ns = seedNamespace(input.clusterId);
  const pki = (file: string): string => `${mountPaths.apiServerPKI}/${file}`;
  const etcdServers = Array.from({ length: input.etcdMembers }, (_, i) => `https://etcd-${i}.etcd.${ns}.svc:${seedPorts.etcdClient}`);
  const apiserver = renderKubeAPIServer({
    binary: "kube-apiserver",
    securePort: seedPorts.apiServer,
    bindAddress: "0.0.0.0",
    advertiseAddress: "$(POD_IP)",
    etcdServers,
    serviceClusterIPRange: input.serviceCIDR,
    dnsDomain: input.dnsDomain,
    certDir: "/tmp",
    pki: {
      // Trust in bundles (the current CA, and the previous one during a rotation), as on the local driver.
      clientCAFile: pki("ca-bundle.crt"),
      tlsCertFile: pki("apiserver.crt"),
      tlsKeyFile: pki("apiserver.key"),
      etcdCAFile: pki("etcd-ca-bundle.crt"),
      etcdCertFile: pki("apiserver-etcd-client.crt"),
      etcdKeyFile: pki("apiserver-etcd-client.key"),
      serviceAccountKeyFile: pki("sa-verify.pub"),
      serviceAccountSigningKeyFile: pki("sa-signing.key"),
      kubeletClientCertFile: pki("apiserver-kubelet-client.crt"),
      kubeletClientKeyFile: pki("apiserver-kubelet-client.key"),
      frontProxyCAFile: pki("front-proxy-ca-bundle.crt"),
      frontProxyClientCertFile: pki("front-proxy-client.crt"),
      frontProxyClientKeyFile: pki("front-proxy-client.key"),
    },
    extraFlags: {
      // Behind a Service, a replica told to stop keeps serving while its
      // /readyz fails, until kube-proxy has taken it out of the endpoints:
      // rolling or scaling the API servers fails no new request.
      "shutdown-delay-duration": "5s",
      ...input.apiServerExtraFlags,
    },
    tuning: smallClusterTuning.kubeAPIServer,
  });
  return deployment(input, "kube-apiserver", input.apiServerReplicas, input.versions.apiServer, {
    name: "kube-apiserver",
    image: input.images["kube-apiserver"],
    command: [apiserver.command],
    args: [...apiserver.args],
    env: containerEnv(apiserver),
    ports: [{ name: "https", containerPort: seedPorts.apiServer }],
    // Ready for traffic whether or not etcd answers: an etcd election (a member rolled) fails every
    // replica's etcd check at once, and taking them all out of the Service would only turn the
    // clients' brief errors into refused connections. Its shutdown and informer checks still count.
    readinessProbe: { httpGet: { scheme: "HTTPS", path: apiServerReadinessPath, port: seedPorts.apiServer }, periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: { httpGet: { scheme: "HTTPS", path: "/livez", port: seedPorts.apiServer }, periodSeconds: 10, failureThreshold: 8, initialDelaySeconds: 15 },
    resources: { requests: { cpu: "250m", memory: "512Mi" } },
    securityContext: containerSecurity,
    volumeMounts: [{ name: "certs", mountPath: mountPaths.apiServerPKI, readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
  });
}

/** kube-controller-manager and kube-scheduler: leader-elected, so a second replica waits as a standby. */
export function renderControllerDeployments(input: WorkloadInput): Manifest[] {
  const pki = (file: string): string => `${mountPaths.apiServerPKI}/${file}`;
  const kubeconfig = `${mountPaths.apiServerPKI}/kubeconfig`;
  const cm = renderKubeControllerManager({
    binary: "kube-controller-manager",
    kubeconfigFile: kubeconfig,
    securePort: seedPorts.controllerManager,
    bindAddress: "0.0.0.0",
    certDir: "/tmp",
    clusterCACertFile: pki("ca.crt"),
    clusterCAKeyFile: pki("ca.key"),
    rootCAFile: pki("ca-bundle.crt"),
    serviceAccountPrivateKeyFile: pki("sa-signing.key"),
    serviceClusterIPRange: input.serviceCIDR,
    clusterCIDR: input.podCIDR,
    leaderElect: true,
    tuning: smallClusterTuning.kubeControllerManager,
  });
  const scheduler = renderKubeScheduler({ binary: "kube-scheduler", kubeconfigFile: kubeconfig, securePort: seedPorts.scheduler, bindAddress: "0.0.0.0", certDir: "/tmp", leaderElect: true, tuning: smallClusterTuning.kubeScheduler });
  const container = (name: "kube-controller-manager" | "kube-scheduler", spec: ProcessSpec, port: number): object => ({
    name,
    image: input.images[name],
    command: [spec.command],
    args: [...spec.args],
    env: containerEnv(spec),
    ports: [{ name: "https", containerPort: port }],
    livenessProbe: { httpGet: { scheme: "HTTPS", path: "/healthz", port }, periodSeconds: 10, failureThreshold: 8, initialDelaySeconds: 15 },
    readinessProbe: { httpGet: { scheme: "HTTPS", path: "/healthz", port }, periodSeconds: 10 },
    resources: { requests: { cpu: "100m", memory: "256Mi" } },
    securityContext: containerSecurity,
    volumeMounts: [{ name: "certs", mountPath: mountPaths.apiServerPKI, readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
  });
  return [
    deployment(input, "kube-controller-manager", 1, input.versions.controllers, container("kube-controller-manager", cm, seedPorts.controllerManager)),
    deployment(input, "kube-scheduler", 1, input.versions.controllers, container("kube-scheduler", scheduler, seedPorts.scheduler)),
  ];
}

function deployment(input: WorkloadInput, component: Exclude<SeedComponent, "etcd">, replicas: number, version: string, container: object): Manifest {
  const labels = seedLabels(input.clusterId, component);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: component, namespace: seedNamespace(input.clusterId), labels, annotations: { [versionAnnotation]: version } },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations: { "seedbed.dev/config-checksum": input.checksums[component] } },
        spec: {
          affinity: spread(input.clusterId, component),
          automountServiceAccountToken: false,
          // Without it the Secret files (root-owned) are unreadable to uid 65532.
          securityContext: podSecurity,
          containers: [container],
          volumes: [certsVolume(component), { name: "tmp", emptyDir: {} }],
        },
      },
    },
  };
}
