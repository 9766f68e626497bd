import { clusterIdentity, type Cluster } from "@seedbed/api";
import { buildExecKubeconfig, type ExecPlugin } from "@seedbed/pki";

/**
 * A kubeconfig for a cluster that logs in with the platform's OIDC token
 * through an exec plugin: no key or long-lived secret in it. It names the
 * endpoint the cluster's exposure strategy advertises; a `.localhost` name
 * is reached on 127.0.0.1 with the name sent in TLS SNI (not every
 * resolver maps *.localhost to loopback).
 */
export function clusterTokenKubeconfig(cluster: Cluster, exec: ExecPlugin, userName = "seedbed"): string | undefined {
  const status = cluster.status;
  const shared = cluster.spec.exposure?.strategy === "SharedSNI" ? status?.sharedEndpoint : undefined;
  const endpoint = shared ?? status?.endpoint;
  if (endpoint === undefined || status?.certificateAuthority === undefined) return undefined;
  const url = new URL(endpoint);
  const viaLoopback = url.hostname.endsWith(".localhost");
  return buildExecKubeconfig({
    clusterName: clusterIdentity(cluster),
    server: viaLoopback ? `https://127.0.0.1:${url.port}` : endpoint,
    certificateAuthorityPem: status.certificateAuthority,
    ...(viaLoopback ? { tlsServerName: url.hostname } : {}),
    userName,
    exec,
  });
}
