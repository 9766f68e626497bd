import { createHash } from "node:crypto";

import { buildKubeconfig } from "@seedbed/pki";
import { authenticationConfigFile } from "../driver.ts";
import { seedLabels, seedNamespace, seedPorts, type Manifest } from "./names.ts";

/** Which PKI files each component's Secret holds: each gets only what it uses (least privilege). */
const filesOf = {
  etcd: ["etcd-ca.crt", "etcd-server.crt", "etcd-server.key", "etcd-peer.crt", "etcd-peer.key"],
  // No CA key: the API server signs nothing but service-account tokens.
  "kube-apiserver": [
    "ca.crt", "apiserver.crt", "apiserver.key", "etcd-ca.crt", "apiserver-etcd-client.crt", "apiserver-etcd-client.key", "sa.pub", "sa.key",
    "apiserver-kubelet-client.crt", "apiserver-kubelet-client.key", "front-proxy-ca.crt", "front-proxy-client.crt", "front-proxy-client.key",
  ],
  // The only holder of the cluster CA's key: it signs kubelet certificates (CSR signer).
  "kube-controller-manager": ["ca.crt", "ca.key", "sa.key"],
  "kube-scheduler": [],
} as const;

/** A component with a Secret of its own. */
export type SeedComponent = keyof typeof filesOf;

/** The name of a component's Secret. */
export function secretName(component: SeedComponent): string {
  return `${component}-certs`;
}

/** A checksum of a component's files: changes exactly when they do, so pods roll on new certificates. */
export function checksumOf(data: Readonly<Record<string, string>>): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(data).sort()) hash.update(`${key}\0${data[key] ?? ""}\0`);
  return hash.digest("hex");
}

/** One Secret per component, holding its PEM files and (controllers) its kubeconfig; plus each Secret's checksum. */
export function renderSecrets(clusterId: string, pki: ReadonlyMap<string, string>, authenticationConfig?: string): { objects: Manifest[]; checksums: Record<SeedComponent, string> } {
  const pem = (file: string): string => pki.get(file) ?? "";
  // In the seed, controllers reach their API through its Service.
  const kubeconfig = (user: string, cert: string, key: string): string =>
    buildKubeconfig({ clusterName: clusterId, server: `https://kube-apiserver:${seedPorts.apiServer}`, certificateAuthorityPem: pem("ca.crt"), userName: user, clientCertificatePem: pem(cert), clientKeyPem: pem(key) });
  const extra: Record<SeedComponent, Record<string, string>> = {
    etcd: {},
    "kube-apiserver": authenticationConfig === undefined ? {} : { [authenticationConfigFile]: authenticationConfig },
    "kube-controller-manager": { kubeconfig: kubeconfig("system:kube-controller-manager", "controller-manager.crt", "controller-manager.key") },
    "kube-scheduler": { kubeconfig: kubeconfig("system:kube-scheduler", "scheduler.crt", "scheduler.key") },
  };
  const objects: Manifest[] = [];
  const checksums = {} as Record<SeedComponent, string>;
  for (const component of Object.keys(filesOf) as SeedComponent[]) {
    const data: Record<string, string> = { ...Object.fromEntries(filesOf[component].map((f) => [f, pem(f)])), ...extra[component] };
    checksums[component] = checksumOf(data);
    objects.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secretName(component), namespace: seedNamespace(clusterId), labels: seedLabels(clusterId, component) },
      type: "Opaque",
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")])),
    });
  }
  return { objects, checksums };
}
