import { createHash } from "node:crypto";

import { buildKubeconfig } from "@seedbed/pki";
import { authenticationConfigFile } from "../driver.ts";
import { seedLabels, seedNamespace, seedPorts, type Manifest } from "./names.ts";

/**
 * Which PKI files each component's Secret holds: each gets only what it
 * uses (least privilege). Trust comes from the bundles (the current CA, and
 * the previous one while a CA rotation runs), never from a bare CA file.
 */
const filesOf = {
  etcd: ["etcd-ca-bundle.crt", "etcd-server.crt", "etcd-server.key", "etcd-peer.crt", "etcd-peer.key"],
  // No CA key: the API server signs nothing but service-account tokens.
  "kube-apiserver": [
    "ca-bundle.crt", "apiserver.crt", "apiserver.key", "etcd-ca-bundle.crt", "apiserver-etcd-client.crt", "apiserver-etcd-client.key", "sa-verify.pub", "sa-signing.key",
    "apiserver-kubelet-client.crt", "apiserver-kubelet-client.key", "front-proxy-ca-bundle.crt", "front-proxy-client.crt", "front-proxy-client.key",
  ],
  // The only holder of the cluster CA's key: it signs kubelet certificates
  // (CSR signer) with the current CA, and hands pods the bundle (root CA).
  "kube-controller-manager": ["ca.crt", "ca.key", "ca-bundle.crt", "sa-signing.key"],
  "kube-scheduler": [],
} as const;

/**
 * The files of its Secret each component reads only when it starts (as
 * render/control-plane.ts's loadedAtStart says for the local driver), or
 * "all". A pod rolls only when one of these changes: etcd reads its serving
 * and peer certificates on each handshake, and kube-apiserver reloads its
 * serving certificate, client CAs and front-proxy files and reads its etcd
 * client certificate on each new connection, so a leaf renewal just updates
 * their Secret, which the kubelet writes into the running pods' volumes.
 * The controllers and kwok restart on any change: client-go would reload
 * their client certificate only every five minutes.
 */
const loadedAtStart: Readonly<Record<SeedComponent, readonly string[] | "all">> = {
  etcd: ["etcd-ca-bundle.crt"],
  "kube-apiserver": ["etcd-ca-bundle.crt", "sa-verify.pub", "sa-signing.key", authenticationConfigFile],
  "kube-controller-manager": "all",
  "kube-scheduler": "all",
};

/** A component with a Secret of its own. */
export type SeedComponent = keyof typeof filesOf;

/** The names of the files of a component's Secret that it reads only at start (every file for "all"); exported for tests. */
export function filesLoadedAtStart(component: SeedComponent, data: Readonly<Record<string, string>>): string[] {
  const files = loadedAtStart[component];
  return Object.keys(data).filter((file) => files === "all" || files.includes(file));
}

/** The name of a component's Secret. */
export function secretName(component: SeedComponent): string {
  return `${component}-certs`;
}

/** A checksum of files (name → content): changes exactly when one of them does, so pods roll on what they must reload. */
export function checksumOf(data: Readonly<Record<string, string>>): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(data).sort()) hash.update(`${key}\0${data[key] ?? ""}\0`);
  return hash.digest("hex");
}

/**
 * A kubeconfig for a client in the seed: it reaches the API through its
 * Service and trusts the cluster CA bundle, so it keeps working while the
 * serving certificate still comes from the previous CA during a rotation.
 */
export function seedKubeconfig(clusterId: string, pki: ReadonlyMap<string, string>, user: string, cert: string, key: string): string {
  const pem = (file: string): string => pki.get(file) ?? "";
  return buildKubeconfig({ clusterName: clusterId, server: `https://kube-apiserver:${seedPorts.apiServer}`, certificateAuthorityPem: pem("ca-bundle.crt"), userName: user, clientCertificatePem: pem(cert), clientKeyPem: pem(key) });
}

/**
 * One Secret per component, holding its PEM files and (controllers) its
 * kubeconfig; plus, per component, the checksum of the files it reads only
 * at start (see loadedAtStart), for its pod template.
 */
export function renderSecrets(clusterId: string, pki: ReadonlyMap<string, string>, authenticationConfig?: string): { objects: Manifest[]; checksums: Record<SeedComponent, string> } {
  const pem = (file: string): string => pki.get(file) ?? "";
  const extra: Record<SeedComponent, Record<string, string>> = {
    etcd: {},
    "kube-apiserver": authenticationConfig === undefined ? {} : { [authenticationConfigFile]: authenticationConfig },
    "kube-controller-manager": { kubeconfig: seedKubeconfig(clusterId, pki, "system:kube-controller-manager", "controller-manager.crt", "controller-manager.key") },
    "kube-scheduler": { kubeconfig: seedKubeconfig(clusterId, pki, "system:kube-scheduler", "scheduler.crt", "scheduler.key") },
  };
  const objects: Manifest[] = [];
  const checksums = {} as Record<SeedComponent, string>;
  for (const component of Object.keys(filesOf) as SeedComponent[]) {
    const data: Record<string, string> = { ...Object.fromEntries(filesOf[component].map((f) => [f, pem(f)])), ...extra[component] };
    checksums[component] = checksumOf(Object.fromEntries(filesLoadedAtStart(component, data).map((file) => [file, data[file] ?? ""])));
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
