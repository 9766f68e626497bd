import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { startSNIProxy, watchClusterRoutes, type ClusterRouteWatch, type SNIProxy } from "@seedbed/gateway";
import { startServer, type RunningServer } from "@seedbed/server";
import { createLogger } from "@seedbed/runtime";
import pino from "pino";
import { clusterTokenKubeconfig } from "../commands/cluster-kubeconfig.ts";
import { tokenPlugin } from "../credentials.ts";
import type { ServicePorts } from "./ports.ts";

/** The domain of the shared endpoint on one machine: <cluster>.<project>.seedbed.localhost. */
export const localSharedDomain = "seedbed.localhost";

/** The REST API and the SNI gateway, running beside the operator. */
export interface FrontServices {
  readonly apiURL: string;
  readonly gatewayPort: number;
  stop(): Promise<void>;
}

/**
 * Starts the REST API and the SNI gateway as the read-only frontend
 * identity (frontendKubeConfig): everything the API does for a user goes
 * with that user's own token.
 */
export async function startFrontServices(options: { home: string; ports: ServicePorts; managementServer: string; managementCA: string; kubeConfig: KubeConfig }): Promise<FrontServices> {
  const logger = (name: string): pino.Logger => createLogger({ destination: pino.destination({ dest: join(options.home, "logs", `${name}.log`), mkdir: true, sync: false }) });
  let server: RunningServer | undefined;
  let routes: ClusterRouteWatch | undefined;
  let proxy: SNIProxy | undefined;
  const stop = async (): Promise<void> => {
    await proxy?.stop();
    await routes?.stop();
    await server?.stop();
  };
  try {
    server = await startServer({
      host: "127.0.0.1",
      port: options.ports.api,
      managementServer: options.managementServer,
      managementCA: options.managementCA,
      kubeConfig: options.kubeConfig,
      logger: logger("api"),
      // Kubeconfigs run `seedbed token` of this checkout: the API serves the machine it runs on.
      kubeconfigFor: (cluster) => clusterTokenKubeconfig(cluster, tokenPlugin()),
    });
    const log = logger("gateway");
    const watch = watchClusterRoutes({ kubeConfig: options.kubeConfig, domain: localSharedDomain, logger: log });
    routes = watch;
    await watch.waitForSync();
    proxy = await startSNIProxy({ host: "127.0.0.1", port: options.ports.gateway, resolve: (name) => watch.routes.resolve(name), logger: log });
  } catch (error) {
    await stop();
    throw error;
  }
  return { apiURL: server.url, gatewayPort: proxy.port, stop };
}
