import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { buildKubeconfig, issueCertificate, loadCertificateAuthority } from "@seedbed/pki";
import { apply, type ObjectClient } from "@seedbed/runtime";

/** The management API user the REST server and the SNI gateway run as. */
export const frontendUser = "seedbed:frontend";

/**
 * Read-only rights the REST server and the gateway need for themselves:
 * project membership (to list a caller's projects) and cluster endpoints
 * (to route SNI names). Everything done for a user goes with the user's
 * own token; this identity can change nothing.
 */
export const frontendRole = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  metadata: { name: "seedbed-frontend" },
  rules: [{ apiGroups: ["seedbed.dev"], resources: ["projects", "clusters"], verbs: ["get", "list", "watch"] }],
} as KubernetesObject;

/** Applies the role and its binding to the frontend user. */
export async function applyFrontendRBAC(client: ObjectClient): Promise<void> {
  await apply(client, frontendRole);
  await apply(client, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "seedbed-frontend" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "seedbed-frontend" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: frontendUser }],
  } as KubernetesObject);
}

/**
 * A client-certificate kubeconfig for the frontend user, issued once from
 * the management CA and kept in $SEEDBED_HOME (mode 0600).
 */
export async function frontendKubeConfig(home: string, server: string, pkiDir: string): Promise<KubeConfig> {
  const file = join(home, "frontend.kubeconfig");
  if (!existsSync(file)) {
    const caPem = readFileSync(join(pkiDir, "ca.crt"), "utf8");
    const ca = await loadCertificateAuthority(caPem, readFileSync(join(pkiDir, "ca.key"), "utf8"));
    const issued = await issueCertificate(ca, { commonName: frontendUser, usage: "client" });
    writeFileSync(file, buildKubeconfig({ clusterName: "seedbed", server, certificateAuthorityPem: caPem, userName: frontendUser, clientCertificatePem: issued.certificatePem, clientKeyPem: issued.privateKeyPem }), { mode: 0o600 });
  }
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}
