// Turns a harness kube-apiserver into a kwok seed for the scale benchmark:
// kwok nodes, local volumes for etcd, the Seed, a project namespace, and a
// kubeconfig for the operator with a user name of its own (so the audit
// log tells its requests apart from everyone else's).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, StorageV1Api, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, installCRDs } from "@seedbed/api";
import { kwokNodeAnnotation } from "@seedbed/controlplane";
import { buildKubeconfig, issueCertificate, loadCertificateAuthority } from "@seedbed/pki";
import type { KubeAPI } from "@seedbed/testing";

/** The audit policy: one line per finished request of the operator, nothing else. */
export const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
- level: Metadata
  users: ["seedbed-operator"]
- level: None
`;

/** Runs `count` promises from `make`, `concurrency` at a time. */
export async function pool(count: number, concurrency: number, make: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await make(next++);
  }));
}

/** Nodes, volumes, the Seed and the project; returns the operator's kubeconfig path. */
export async function prepareSeed(api: KubeAPI, kc: KubeConfig, options: { clusters: number; nodes: number; namespace: string }): Promise<string> {
  await installCRDs(kc);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: options.namespace } } });
  await pool(options.nodes, 10, (i) =>
    core.createNode({ body: { metadata: { name: `seed-${i}`, annotations: { [kwokNodeAnnotation]: "fake" }, labels: { "kubernetes.io/hostname": `seed-${i}` } }, status: { addresses: [{ type: "InternalIP", address: `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}` }], capacity: { cpu: "1000", memory: "4Ti", pods: "1000" }, allocatable: { cpu: "1000", memory: "4Ti", pods: "1000" } } } }),
  );
  await kc.makeApiClient(StorageV1Api).createStorageClass({ body: { metadata: { name: "kwok-local" }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "WaitForFirstConsumer" } });
  await pool(options.clusters, 20, (i) =>
    core.createPersistentVolume({ body: { metadata: { name: `pv-${i}` }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: "kwok-local", hostPath: { path: `/tmp/pv-${i}` } } } }),
  );
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "kwok" }, spec: { driver: "kubernetes", default: true, storageClassName: "kwok-local" } } });
  const pki = join(api.dir, "pki");
  const ca = await loadCertificateAuthority(readFileSync(join(pki, "ca.crt"), "utf8"), readFileSync(join(pki, "ca.key"), "utf8"));
  const cert = await issueCertificate(ca, { commonName: "seedbed-operator", organizations: ["system:masters"], usage: "client" });
  const path = join(api.dir, "operator.kubeconfig");
  writeFileSync(path, buildKubeconfig({ clusterName: "seed", server: api.server, certificateAuthorityPem: ca.certificatePem, userName: "seedbed-operator", clientCertificatePem: cert.certificatePem, clientKeyPem: cert.privateKeyPem }), { mode: 0o600 });
  return path;
}
