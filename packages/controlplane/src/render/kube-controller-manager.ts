import { flags, type ProcessSpec } from "./process-spec.ts";
import type { ComponentTuning } from "./small-cluster.ts";

/** What a kube-controller-manager needs. */
export interface KubeControllerManagerRenderInput {
  readonly binary: string;
  readonly kubeconfigFile: string;
  readonly securePort: number;
  /** Where it serves /healthz and /metrics (default 127.0.0.1; 0.0.0.0 in a pod, for the kubelet's probes). */
  readonly bindAddress?: string;
  readonly certDir: string;
  readonly clusterCACertFile: string;
  readonly clusterCAKeyFile: string;
  /** What pods trust the API with (the kube-root-ca.crt ConfigMaps): the CA bundle, which carries two CAs during a rotation (default: the signing CA). */
  readonly rootCAFile?: string;
  readonly serviceAccountPrivateKeyFile: string;
  readonly serviceClusterIPRange: string;
  /** The cluster's pod range: each Node gets a /24 of it as spec.podCIDR (node IPAM), which kwok and CNIs hand pod IPs from. */
  readonly clusterCIDR?: string;
  readonly leaderElect: boolean;
  /** Extra flags, e.g. client QPS for a large test seed. */
  readonly extraFlags?: Readonly<Record<string, string | number | boolean>>;
  /** Flags and Go runtime environment for a small cluster (see small-cluster.ts); extra flags win over its flags. */
  readonly tuning?: ComponentTuning;
}

/** Renders kube-controller-manager: every default controller, service-account credentials per controller, CSR signing by the cluster CA, a /24 of the pod range per Node. */
export function renderKubeControllerManager(input: KubeControllerManagerRenderInput): ProcessSpec {
  return {
    name: "kube-controller-manager",
    command: input.binary,
    args: flags({
      kubeconfig: input.kubeconfigFile,
      "authentication-kubeconfig": input.kubeconfigFile,
      "authorization-kubeconfig": input.kubeconfigFile,
      // Started beside a kube-apiserver that is still making its RBAC roles,
      // it would exit (it may not read the request-header CA yet) and be
      // restarted with growing backoff; like kube-scheduler, it goes on
      // instead. Only client certificates on its own /metrics depend on it.
      "authentication-tolerate-lookup-failure": true,
      "bind-address": input.bindAddress ?? "127.0.0.1",
      "secure-port": input.securePort,
      "cert-dir": input.certDir,
      // Every default controller (CSR approval and signing among them), and
      // the two kubeadm adds for bootstrap tokens: the signer of cluster-info
      // and the cleaner that deletes expired tokens.
      controllers: "*,bootstrapsigner,tokencleaner",
      "use-service-account-credentials": true,
      "service-account-private-key-file": input.serviceAccountPrivateKeyFile,
      "root-ca-file": input.rootCAFile ?? input.clusterCACertFile,
      "cluster-signing-cert-file": input.clusterCACertFile,
      "cluster-signing-key-file": input.clusterCAKeyFile,
      "service-cluster-ip-range": input.serviceClusterIPRange,
      // Without a pod range (the platform's own API server) nodes get none.
      ...(input.clusterCIDR === undefined ? {} : { "cluster-cidr": input.clusterCIDR, "allocate-node-cidrs": true, "node-cidr-mask-size": 24 }),
      "leader-elect": input.leaderElect,
      profiling: false,
      ...input.tuning?.flags,
      ...input.extraFlags,
    }),
    ...(input.tuning?.env === undefined ? {} : { env: input.tuning.env }),
  };
}
