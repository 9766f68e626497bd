import type { PKIFiles } from "../pki-layout.ts";
import { renderEtcd } from "./etcd.ts";
import { renderKubeAPIServer, type KubeAPIServerRenderInput } from "./kube-apiserver.ts";
import { renderKubeControllerManager } from "./kube-controller-manager.ts";
import { renderKubeScheduler } from "./kube-scheduler.ts";
import { renderKwok } from "./kwok.ts";
import type { ProcessSpec } from "./process-spec.ts";
import { smallClusterTuning } from "./small-cluster.ts";

/** How a component tells that it is healthy. */
export interface HealthCheck {
  readonly url: string;
  /** admin: verify against the cluster CA with the admin certificate; selfSigned: the component's own certificate; plain: http. */
  readonly tls: "admin" | "selfSigned" | "plain";
}

/** A component to run and how to check it. */
export interface RenderedComponent {
  readonly spec: ProcessSpec;
  readonly health: HealthCheck;
  /**
   * Files the component reads only when it starts: when one changes, the
   * process must be replaced. Every other file it is given it reloads
   * itself (kube-apiserver watches its serving certificate, client CAs and
   * front-proxy files, and reads its etcd client certificate on each new
   * connection; etcd reads its serving and peer certificates on each
   * handshake), so a leaf renewal restarts neither of them.
   */
  readonly loadedAtStart: readonly string[];
}

/** The loopback ports of one control plane. */
export interface ControlPlanePorts {
  readonly apiServer: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly controllerManager?: number;
  readonly scheduler?: number;
  readonly kwok?: number;
}

/** Where a control plane's files are, and which binaries run it. */
export interface ControlPlaneLayout {
  readonly pki: PKIFiles;
  readonly etcdDataDir: string;
  readonly controllerManagerKubeconfig: string;
  readonly schedulerKubeconfig: string;
  readonly adminKubeconfig: string;
  /** Working directories of components that write files of their own (serving certificates, kwok). */
  readonly workDir: (component: string) => string;
  readonly kwokStagesFile: string;
  readonly binaries: { readonly etcd: string; readonly kubeAPIServer: string; readonly kubeControllerManager: string; readonly kubeScheduler: string; readonly kwok: string };
}

/** Everything that decides what a control plane's processes look like. */
export interface ControlPlaneRenderInput {
  readonly layout: ControlPlaneLayout;
  readonly ports: ControlPlanePorts;
  readonly serviceCIDR: string;
  /** spec.network.podCIDR: kube-controller-manager gives each Node a /24 of it (none when absent). */
  readonly podCIDR?: string;
  /** spec.network.dnsDomain: the service-account issuer is named after it (default cluster.local). */
  readonly dnsDomain?: string;
  readonly components: { readonly controllerManager: boolean; readonly scheduler: boolean; readonly kwok: boolean };
  /** Controllers elect a leader when more than one replica may run. */
  readonly leaderElect?: boolean;
  readonly unsafeNoFsync?: boolean;
  /**
   * A tenant's control plane, sized for a small cluster: less memory and
   * idle work (smallClusterTuning). Off for the platform's own API and the
   * test harness, which may serve a seed of a thousand control planes.
   */
  readonly smallCluster?: boolean;
  /**
   * An address of this machine that real machines (and their pods) reach:
   * the API server then listens on every address and advertises this one,
   * so the `kubernetes` Service's endpoints are <nodeAddress>:<apiServer
   * port>. The serving certificate must name it (the caller's PKI).
   */
  readonly nodeAddress?: string;
  readonly apiServerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  /** Files given through extra flags that a component reads only at start (kube-apiserver's authentication configuration). */
  readonly loadedAtStart?: { readonly kubeAPIServer?: readonly string[] };
  readonly controllerManagerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  readonly schedulerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Renders a control plane as processes in start order (etcd,
 * kube-apiserver, then the controllers), each with its health check. Pure:
 * the same input gives the same output, so a supervisor can compare
 * command lines to see whether anything changed.
 */
export function renderControlPlane(input: ControlPlaneRenderInput): RenderedComponent[] {
  const { layout, ports, components } = input;
  const tuning = input.smallCluster === true ? smallClusterTuning : undefined;
  const { pki } = layout;
  const required = (port: number | undefined, name: string): number => {
    if (port === undefined) throw new Error(`ports.${name} is required when ${name} runs`);
    return port;
  };
  const rendered: RenderedComponent[] = [
    {
      spec: renderEtcd({
        binary: layout.binaries.etcd,
        dataDir: layout.etcdDataDir,
        clientPort: ports.etcdClient,
        peerPort: ports.etcdPeer,
        pki: { caFile: pki.etcdCABundle, serverCertFile: pki.etcdServerCert, serverKeyFile: pki.etcdServerKey, peerCertFile: pki.etcdPeerCert, peerKeyFile: pki.etcdPeerKey },
        unsafeNoFsync: input.unsafeNoFsync,
        tuning: tuning?.etcd,
      }),
      // etcd's health is what kube-apiserver's /readyz reports; probing it
      // needs the etcd CA's client certificate, which only the apiserver holds.
      health: { url: `https://127.0.0.1:${ports.apiServer}/readyz/etcd`, tls: "admin" },
      loadedAtStart: [pki.etcdCABundle],
    },
    {
      spec: renderKubeAPIServer({
        binary: layout.binaries.kubeAPIServer,
        securePort: ports.apiServer,
        etcdServers: [`https://127.0.0.1:${ports.etcdClient}`],
        serviceClusterIPRange: input.serviceCIDR,
        dnsDomain: input.dnsDomain,
        certDir: layout.workDir("kube-apiserver"),
        ...nodeReachable(input.nodeAddress),
        pki: {
          clientCAFile: pki.caBundle,
          tlsCertFile: pki.apiServerCert,
          tlsKeyFile: pki.apiServerKey,
          etcdCAFile: pki.etcdCABundle,
          etcdCertFile: pki.apiServerEtcdClientCert,
          etcdKeyFile: pki.apiServerEtcdClientKey,
          serviceAccountKeyFile: pki.serviceAccountVerifyKeys,
          serviceAccountSigningKeyFile: pki.serviceAccountSigningKey,
          kubeletClientCertFile: pki.apiServerKubeletClientCert,
          kubeletClientKeyFile: pki.apiServerKubeletClientKey,
          frontProxyCAFile: pki.frontProxyCABundle,
          frontProxyClientCertFile: pki.frontProxyClientCert,
          frontProxyClientKeyFile: pki.frontProxyClientKey,
        },
        extraFlags: input.apiServerExtraFlags,
        tuning: tuning?.kubeAPIServer,
      }),
      health: { url: `https://127.0.0.1:${ports.apiServer}/readyz`, tls: "admin" },
      // The etcd CA and the service-account keys are read once. (Its client
      // certificate towards kubelets is reloaded by client-go every five
      // minutes, and the kubelet CA it checks is kept until a restart; both
      // change rarely enough to wait for that.)
      loadedAtStart: [pki.etcdCABundle, pki.serviceAccountVerifyKeys, pki.serviceAccountSigningKey, ...(input.loadedAtStart?.kubeAPIServer ?? [])],
    },
  ];
  if (components.controllerManager) {
    const port = required(ports.controllerManager, "controllerManager");
    rendered.push({
      spec: renderKubeControllerManager({
        binary: layout.binaries.kubeControllerManager,
        kubeconfigFile: layout.controllerManagerKubeconfig,
        securePort: port,
        certDir: layout.workDir("kube-controller-manager"),
        clusterCACertFile: pki.caCert,
        clusterCAKeyFile: pki.caKey,
        rootCAFile: pki.caBundle,
        serviceAccountPrivateKeyFile: pki.serviceAccountSigningKey,
        serviceClusterIPRange: input.serviceCIDR,
        clusterCIDR: input.podCIDR,
        leaderElect: input.leaderElect ?? false,
        extraFlags: input.controllerManagerExtraFlags,
        tuning: tuning?.kubeControllerManager,
      }),
      health: { url: `https://127.0.0.1:${port}/healthz`, tls: "selfSigned" },
      // Controllers are not in the path of any request: they restart on every change (client-go would reload their certificate only every five minutes).
      loadedAtStart: [layout.controllerManagerKubeconfig, pki.caCert, pki.caKey, pki.caBundle, pki.serviceAccountSigningKey],
    });
  }
  if (components.scheduler) {
    const port = required(ports.scheduler, "scheduler");
    rendered.push({
      spec: renderKubeScheduler({
        binary: layout.binaries.kubeScheduler,
        kubeconfigFile: layout.schedulerKubeconfig,
        securePort: port,
        certDir: layout.workDir("kube-scheduler"),
        leaderElect: input.leaderElect ?? false,
        extraFlags: input.schedulerExtraFlags,
        tuning: tuning?.kubeScheduler,
      }),
      health: { url: `https://127.0.0.1:${port}/healthz`, tls: "selfSigned" },
      loadedAtStart: [layout.schedulerKubeconfig],
    });
  }
  if (components.kwok) {
    const port = required(ports.kwok, "kwok");
    rendered.push({
      spec: renderKwok({ binary: layout.binaries.kwok, kubeconfigFile: layout.adminKubeconfig, serverPort: port, workDir: layout.workDir("kwok"), stagesFile: layout.kwokStagesFile }),
      health: { url: `http://127.0.0.1:${port}/healthz`, tls: "plain" },
      loadedAtStart: [layout.adminKubeconfig],
    });
  }
  return rendered;
}

/**
 * Where the API server listens and what it advertises when machines must
 * reach it at `nodeAddress`: on every address (loopback included, where the
 * controllers and health checks call it), and with its own lease-based
 * endpoint reconciler, since pods reach it at that address and its own
 * port (no NodePort in between, unlike a seed's). Loopback otherwise.
 */
function nodeReachable(nodeAddress: string | undefined): Pick<KubeAPIServerRenderInput, "bindAddress" | "advertiseAddress" | "endpointReconcilerType"> {
  if (nodeAddress === undefined) return {};
  return { bindAddress: "0.0.0.0", advertiseAddress: nodeAddress, endpointReconcilerType: "lease" };
}
