import { parse, stringify } from "yaml";

interface ClusterEntry {
  cluster?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A kubeconfig whose clusters read their CA from the file `path`
 * (certificate-authority) instead of carrying it (certificate-authority-data
 * dropped): what token kubeconfigs do, so that `seedbed token` can keep the
 * file current through a CA rotation. Pure.
 */
export function withCertificateAuthorityFile(kubeconfig: string, path: string): string {
  const file = (parse(kubeconfig) ?? {}) as { clusters?: ClusterEntry[] };
  for (const entry of file.clusters ?? []) {
    const next: Record<string, unknown> = { ...entry.cluster, "certificate-authority": path };
    delete next["certificate-authority-data"];
    entry.cluster = next;
  }
  return stringify(file);
}
