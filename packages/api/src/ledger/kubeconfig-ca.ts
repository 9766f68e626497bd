import { parse, stringify } from "yaml";

interface ClusterEntry {
  cluster?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A kubeconfig whose clusters trust the CA bundle `pem` (a Cluster's
 * status.certificateAuthority: the current CA, plus the previous one while
 * a rotation runs): certificate-authority-data replaced, a
 * certificate-authority file reference dropped. Every kubeconfig the
 * platform hands out goes through it, so none carries a CA older than
 * the cluster's status — an admin kubeconfig Secret written before a
 * rotation began included.
 */
export function withCertificateAuthority(kubeconfig: string, pem: string): string {
  const file = (parse(kubeconfig) ?? {}) as { clusters?: ClusterEntry[] };
  const data = Buffer.from(pem).toString("base64");
  for (const entry of file.clusters ?? []) {
    const next: Record<string, unknown> = { ...entry.cluster, "certificate-authority-data": data };
    delete next["certificate-authority"];
    entry.cluster = next;
  }
  return stringify(file);
}
