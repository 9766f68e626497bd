import { clusterDNSAddress, clusterIdentity, type Cluster, type NodePool } from "@seedbed/api";
import { bootstrapTokenSecret, cloudInitUserData, newBootstrapToken, tokenString } from "@seedbed/providers";
import type { ObjectClient } from "@seedbed/runtime";

/** How long a pool's bootstrap token is valid: long enough for a slow cloud to boot its machines. */
export const bootstrapTokenTTLSeconds = 3600;

/**
 * A fresh bootstrap token in the tenant (its Secret in kube-system, expiring
 * on its own) and the cloud-init that joins machines with it. Made for every
 * batch of new machines, kwok's included, so the path a real kubelet takes
 * is exercised everywhere.
 */
export async function bootstrapData(tenant: ObjectClient, pool: NodePool, cluster: Cluster, caCertificatePem: string, version: string): Promise<string> {
  const token = newBootstrapToken(bootstrapTokenTTLSeconds);
  await tenant.request("POST", "/api/v1/namespaces/kube-system/secrets", { body: bootstrapTokenSecret(token, pool.metadata.name ?? "") });
  const network = cluster.spec.network;
  return cloudInitUserData({
    // Where machines reach the API: a local cluster's endpoint is loopback, its node endpoint this machine's address.
    apiServer: cluster.status?.nodeEndpoint ?? cluster.status?.endpoint ?? "",
    caCertificatePem,
    clusterDNS: clusterDNSAddress(network?.serviceCIDR ?? "10.96.0.0/12"),
    clusterDomain: network?.dnsDomain ?? "cluster.local",
    podCIDR: network?.podCIDR ?? "10.244.0.0/16",
    template: pool.spec.machineTemplate,
    poolName: pool.metadata.name ?? "",
    token: tokenString(token),
    kubernetesVersion: version,
    clusterId: clusterIdentity(cluster),
  });
}
