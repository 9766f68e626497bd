import { join } from "node:path";
import type { Route } from "./balancer/index.ts";
import { pkiFiles } from "../pki-layout.ts";
import { apiServerReplicaAddress } from "./topology.ts";

/**
 * A cluster's route at the balancer: its endpoint port on loopback (and on
 * the node address, where machines reach it) in front of its API server
 * replicas. Probes use the scheduler's client certificate: /readyz is open
 * to every authenticated user (system:public-info-viewer), and it is the
 * least privileged identity the cluster's PKI has.
 */
export function balancerRoute(clusterDir: string, endpointPort: number, nodeAddress: string | undefined, replicas: readonly string[]): Route {
  const pki = pkiFiles(join(clusterDir, "pki"));
  return {
    listen: [{ host: "127.0.0.1", port: endpointPort }, ...(nodeAddress === undefined ? [] : [{ host: nodeAddress, port: endpointPort }])],
    backends: replicas.map((name, k) => ({ name, host: apiServerReplicaAddress(k), port: endpointPort })),
    probe: { path: "/readyz", caFile: pki.caBundle, certFile: pki.schedulerCert, keyFile: pki.schedulerKey, serverName: "127.0.0.1" },
  };
}
