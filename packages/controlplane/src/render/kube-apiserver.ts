import { frontProxyClientName } from "@seedbed/pki";
import { flags, type ProcessSpec } from "./process-spec.ts";
import type { ComponentTuning } from "./small-cluster.ts";

/** What a kube-apiserver on loopback needs. */
export interface KubeAPIServerRenderInput {
  readonly binary: string;
  readonly securePort: number;
  /** Where it listens (default 127.0.0.1; 0.0.0.0 in a pod). */
  readonly bindAddress?: string;
  /** The address it advertises (default 127.0.0.1; "$(POD_IP)" in a pod). */
  readonly advertiseAddress?: string;
  /**
   * Who keeps the tenant's `kubernetes` Service endpoints: nobody (default;
   * loopback and seed pods are no address a tenant's pods reach, and the
   * tenantendpoint controller writes a seed's published one), or the API
   * server itself (lease), at its advertised address and secure port.
   */
  readonly endpointReconcilerType?: "none" | "lease";
  readonly etcdServers: readonly string[];
  /** Keys in etcd start with this prefix; lets clusters share one etcd without seeing each other. */
  readonly etcdPrefix?: string;
  readonly serviceClusterIPRange: string;
  /** The cluster's DNS domain (spec.network.dnsDomain, default cluster.local): names the service-account token issuer, https://kubernetes.default.svc.<domain>. */
  readonly dnsDomain?: string;
  readonly certDir: string;
  readonly pki: {
    readonly clientCAFile: string;
    readonly tlsCertFile: string;
    readonly tlsKeyFile: string;
    readonly etcdCAFile: string;
    readonly etcdCertFile: string;
    readonly etcdKeyFile: string;
    readonly serviceAccountKeyFile: string;
    readonly serviceAccountSigningKeyFile: string;
    /** The API server's client certificate towards kubelets (logs, exec, port-forward). */
    readonly kubeletClientCertFile: string;
    readonly kubeletClientKeyFile: string;
    /** The CA aggregated APIs trust for the front proxy, and the front proxy's own certificate. */
    readonly frontProxyCAFile: string;
    readonly frontProxyClientCertFile: string;
    readonly frontProxyClientKeyFile: string;
  };
  /** Extra flags, for features later issues add (OIDC, …). */
  readonly extraFlags?: Readonly<Record<string, string | number | boolean>>;
  /** Flags and Go runtime environment for a small cluster (see small-cluster.ts); extra flags win over its flags. */
  readonly tuning?: ComponentTuning;
}

/** Renders a kube-apiserver bound to 127.0.0.1 that authorizes with RBAC and talks to etcd over mutual TLS. */
export function renderKubeAPIServer(input: KubeAPIServerRenderInput): ProcessSpec {
  return {
    name: "kube-apiserver",
    command: input.binary,
    args: flags({
      "advertise-address": input.advertiseAddress ?? "127.0.0.1",
      "bind-address": input.bindAddress ?? "127.0.0.1",
      // Endpoint reconcilers refuse loopback addresses; a loopback API has
      // no in-cluster clients that would need the kubernetes Endpoints.
      "endpoint-reconciler-type": input.endpointReconcilerType ?? "none",
      "secure-port": input.securePort,
      "cert-dir": input.certDir,
      "tls-cert-file": input.pki.tlsCertFile,
      "tls-private-key-file": input.pki.tlsKeyFile,
      "client-ca-file": input.pki.clientCAFile,
      "etcd-servers": input.etcdServers.join(","),
      "etcd-prefix": input.etcdPrefix ?? "/registry",
      "etcd-cafile": input.pki.etcdCAFile,
      "etcd-certfile": input.pki.etcdCertFile,
      "etcd-keyfile": input.pki.etcdKeyFile,
      "service-account-issuer": serviceAccountIssuer(input.dnsDomain ?? "cluster.local"),
      "service-account-key-file": input.pki.serviceAccountKeyFile,
      "service-account-signing-key-file": input.pki.serviceAccountSigningKeyFile,
      // Tokens live a day at most, and exactly as long as asked (no year-long
      // "extended" kubelet tokens): a CA rotation retires the old signing key
      // once every token it signed has expired, which this bounds.
      "service-account-max-token-expiration": "24h",
      "service-account-extend-token-expiration": false,
      "service-cluster-ip-range": input.serviceClusterIPRange,
      "authorization-mode": "Node,RBAC",
      // A node may change only its own Node and the pods bound to it, as kubeadm sets it up:
      // the serving-certificate approver trusts a Node's addresses for that reason.
      "enable-admission-plugins": "NodeRestriction",
      // Machines join with a node pool's bootstrap token (a Secret in kube-system).
      "enable-bootstrap-token-auth": true,
      // kubectl logs, exec, port-forward: the API server calls the kubelet as
      // kube-apiserver-kubelet-client and checks its serving certificate,
      // which the cluster CA signs (through the CSR signer) once approved.
      "kubelet-client-certificate": input.pki.kubeletClientCertFile,
      "kubelet-client-key": input.pki.kubeletClientKeyFile,
      "kubelet-certificate-authority": input.pki.clientCAFile,
      // A machine's name need not resolve where the control plane runs; its addresses are in its Node.
      "kubelet-preferred-address-types": "InternalIP,ExternalIP,Hostname",
      // The front proxy for aggregated APIs (metrics-server), as kubeadm sets it up.
      "proxy-client-cert-file": input.pki.frontProxyClientCertFile,
      "proxy-client-key-file": input.pki.frontProxyClientKeyFile,
      "requestheader-client-ca-file": input.pki.frontProxyCAFile,
      "requestheader-allowed-names": frontProxyClientName,
      "requestheader-username-headers": "X-Remote-User",
      "requestheader-group-headers": "X-Remote-Group",
      "requestheader-extra-headers-prefix": "X-Remote-Extra-",
      "allow-privileged": true,
      profiling: false,
      ...input.tuning?.flags,
      ...input.extraFlags,
    }),
    ...(input.tuning?.env === undefined ? {} : { env: input.tuning.env }),
  };
}

/** The issuer of a cluster's service-account tokens: the kubernetes Service under the cluster's DNS domain, as kubeadm sets it. */
export function serviceAccountIssuer(dnsDomain: string): string {
  return `https://kubernetes.default.svc.${dnsDomain}`;
}
