import { createCertificateAuthority, type CertificateAuthority } from "./authority.ts";
import { issueCertificate, type IssuedCertificate } from "./certificate.ts";
import { generateKeyPair, type KeyAlgorithm, type KeyPair } from "./keys.ts";
import type { Validity } from "./validity.ts";

/** The names a cluster's certificates are issued for. */
export interface ClusterPKIOptions {
  /** Used in CA common names, to tell clusters apart when reading a certificate. */
  readonly clusterName: string;
  /** Extra SANs of the kube-apiserver serving certificate (its endpoint's host names and IPs). */
  readonly apiServerAltNames?: readonly string[];
  /** Extra SANs of the etcd server and peer certificates (members' DNS names in a seed). */
  readonly etcdAltNames?: readonly string[];
  /** The first IP of the service CIDR: in-cluster clients reach the API there. */
  readonly kubernetesServiceIP: string;
  /** The cluster's DNS domain (default cluster.local): the API is kubernetes.default.svc.<domain> inside it. */
  readonly dnsDomain?: string;
  readonly keyAlgorithm?: KeyAlgorithm;
  readonly leafValidity?: Validity;
  /** How long CAs made now live (default ten years). */
  readonly caValidity?: Validity;
  readonly now?: Date;
}

/**
 * Which authorities sign while a CA rotation runs: the new (current) ones
 * or the ones being rotated out (previous). Serving certificates move to
 * the new CA last, once every client trusts it; client certificates and
 * the service-account signing key move first, once every server trusts
 * the new CA.
 */
export interface RotationSigners {
  readonly previous: ClusterAuthorities;
  readonly server: "previous" | "current";
  readonly client: "previous" | "current";
}

/** Every certificate and key one Kubernetes control plane needs. */
export interface ClusterPKI {
  readonly clusterCA: CertificateAuthority;
  readonly etcdCA: CertificateAuthority;
  /** Signs only the certificate the API server proxies to aggregated APIs with; kept apart from the cluster CA as kubeadm does, so no user certificate can pass for the front proxy. */
  readonly frontProxyCA: CertificateAuthority;
  readonly serviceAccountKey: KeyPair;
  readonly apiServer: IssuedCertificate;
  readonly apiServerEtcdClient: IssuedCertificate;
  /** How the API server authenticates to kubelets (logs, exec, port-forward); its rights come from a binding to system:kubelet-api-admin in the tenant. */
  readonly apiServerKubeletClient: IssuedCertificate;
  /** How the API server authenticates to aggregated APIs, which trust the front-proxy CA for it (CN front-proxy-client). */
  readonly frontProxyClient: IssuedCertificate;
  readonly etcdServer: IssuedCertificate;
  readonly etcdPeer: IssuedCertificate;
  readonly admin: IssuedCertificate;
  readonly controllerManager: IssuedCertificate;
  readonly scheduler: IssuedCertificate;
  /** During a CA rotation: the authorities being rotated out and which side signs with them. */
  readonly rotation?: RotationSigners;
}

/** The in-cluster names of the kubernetes Service under a DNS domain, always on the serving certificate. */
export function kubernetesServiceNames(dnsDomain = "cluster.local"): string[] {
  return ["kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${dnsDomain}`];
}

/** The long-lived part of a cluster's PKI: what renewing the leaf certificates keeps. */
export interface ClusterAuthorities {
  readonly clusterCA: CertificateAuthority;
  readonly etcdCA: CertificateAuthority;
  readonly frontProxyCA: CertificateAuthority;
  readonly serviceAccountKey: KeyPair;
}

/** The common name of the front-proxy client certificate: the one name --requestheader-allowed-names accepts. */
export const frontProxyClientName = "front-proxy-client";

/** The common name of the API server's client certificate towards kubelets, as kubeadm names it. */
export const kubeletClientName = "kube-apiserver-kubelet-client";

/** A front-proxy CA for a cluster: made with the cluster's PKI, or added to a PKI made before Seedbed had one. */
export function createFrontProxyCA(options: Pick<ClusterPKIOptions, "clusterName" | "keyAlgorithm" | "now" | "caValidity">): Promise<CertificateAuthority> {
  return createCertificateAuthority({ commonName: `seedbed-front-proxy-ca-${options.clusterName}`, keyAlgorithm: options.keyAlgorithm ?? "ecdsa-p256", now: options.now, validity: options.caValidity });
}

/**
 * A cluster's authorities made afresh: its cluster, etcd and front-proxy CAs
 * and its service-account key. A rotation's CAs carry its id in their
 * common names, so that two generations of a cluster's CA are told apart.
 */
export async function createClusterAuthorities(options: Pick<ClusterPKIOptions, "clusterName" | "keyAlgorithm" | "now" | "caValidity">, generation?: string): Promise<ClusterAuthorities> {
  const keyAlgorithm = options.keyAlgorithm ?? "ecdsa-p256";
  const suffix = generation === undefined ? "" : `-${generation}`;
  const ca = (commonName: string): Promise<CertificateAuthority> => createCertificateAuthority({ commonName: `${commonName}${suffix}`, keyAlgorithm, now: options.now, validity: options.caValidity });
  const [clusterCA, etcdCA, frontProxyCA, serviceAccountKey] = await Promise.all([
    ca(`seedbed-ca-${options.clusterName}`),
    ca(`seedbed-etcd-ca-${options.clusterName}`),
    ca(`seedbed-front-proxy-ca-${options.clusterName}`),
    generateKeyPair(keyAlgorithm),
  ]);
  return { clusterCA, etcdCA, frontProxyCA, serviceAccountKey };
}

/**
 * Creates a cluster's own CA, a separate etcd CA (so no cluster client can
 * talk to etcd), a service-account key pair and the leaf certificates.
 */
export async function createClusterPKI(options: ClusterPKIOptions): Promise<ClusterPKI> {
  return issueClusterLeaves(await createClusterAuthorities(options), options);
}

/**
 * Issues every leaf certificate afresh from existing authorities: how a
 * cluster's certificates are renewed without changing its CAs, so clients
 * that trust the CA keep working.
 */
export async function issueClusterLeaves(authorities: ClusterAuthorities, options: ClusterPKIOptions, rotation?: RotationSigners): Promise<ClusterPKI> {
  const { clusterCA, etcdCA, frontProxyCA, serviceAccountKey } = authorities;
  const server = rotation?.server === "previous" ? rotation.previous : authorities;
  const client = rotation?.client === "previous" ? rotation.previous : authorities;
  const common = { validity: options.leafValidity, now: options.now };
  const loopback = ["127.0.0.1", "localhost"];
  const [apiServer, apiServerEtcdClient, etcdServer, etcdPeer, admin, controllerManager, scheduler, apiServerKubeletClient, frontProxyClient] = await Promise.all([
    issueCertificate(server.clusterCA, {
      ...common,
      commonName: "kube-apiserver",
      usage: "server",
      altNames: unique([...loopback, ...kubernetesServiceNames(options.dnsDomain), options.kubernetesServiceIP, ...(options.apiServerAltNames ?? [])]),
    }),
    issueCertificate(client.etcdCA, { ...common, commonName: "kube-apiserver-etcd-client", usage: "client" }),
    issueCertificate(server.etcdCA, { ...common, commonName: "etcd-server", usage: "server-and-client", altNames: unique([...loopback, ...(options.etcdAltNames ?? [])]) }),
    issueCertificate(server.etcdCA, { ...common, commonName: "etcd-peer", usage: "server-and-client", altNames: unique([...loopback, ...(options.etcdAltNames ?? [])]) }),
    issueCertificate(client.clusterCA, { ...common, commonName: "seedbed-admin", organizations: ["system:masters"], usage: "client" }),
    issueCertificate(client.clusterCA, { ...common, commonName: "system:kube-controller-manager", usage: "client" }),
    issueCertificate(client.clusterCA, { ...common, commonName: "system:kube-scheduler", usage: "client" }),
    // No group: not system:masters as kubeadm once did; the tenant binds this user to system:kubelet-api-admin only.
    issueCertificate(client.clusterCA, { ...common, commonName: kubeletClientName, usage: "client" }),
    issueCertificate(client.frontProxyCA, { ...common, commonName: frontProxyClientName, usage: "client" }),
  ]);
  return { clusterCA, etcdCA, frontProxyCA, serviceAccountKey, apiServer, apiServerEtcdClient, apiServerKubeletClient, frontProxyClient, etcdServer, etcdPeer, admin, controllerManager, scheduler, ...(rotation === undefined ? {} : { rotation }) };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
