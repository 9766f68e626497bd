import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { startSNIProxy, watchClusterRoutes, type ClusterRouteWatch, type SNIProxy } from "@seedbed/gateway";
import type { ExecPlugin } from "@seedbed/pki";
import { createLogger } from "@seedbed/runtime";
import { startServer, type DashboardOptions, type RunningServer } from "@seedbed/server";
import pino, { type Logger } from "pino";
import { clusterTokenKubeconfig } from "../commands/cluster-kubeconfig.ts";

/** The domain of the shared endpoint on one machine: <cluster>.<project>.seedbed.localhost. */
export const localSharedDomain = "seedbed.localhost";

/** The REST API and the SNI gateway, running beside the operator. */
export interface FrontServices {
  readonly apiURL: string;
  /** Undefined when no shared endpoint domain was given (no gateway). */
  readonly gatewayPort: number | undefined;
  stop(): Promise<void>;
}

/** Where and as whom the REST API and the gateway run. */
export interface FrontServicesOptions {
  readonly host: string;
  readonly ports: { readonly api: number; readonly gateway: number };
  readonly managementServer: string;
  readonly managementCA: string;
  /** The read-only frontend identity: projects and cluster endpoints. */
  readonly kubeConfig: KubeConfig;
  /** The shared endpoint's domain; no gateway without one. */
  readonly domain: string | undefined;
  /** The exec plugin the kubeconfigs handed out run. */
  readonly plugin: ExecPlugin;
  readonly logger: Logger;
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Plain HTTP off loopback (see startServer's insecureHTTP). */
  readonly insecureHTTP?: boolean;
  /** The built dashboard and the issuer it logs in with; no dashboard without it. */
  readonly dashboard?: DashboardOptions;
}

/** Loggers writing to $SEEDBED_HOME/logs/<name>.log, for `seedbed up`. */
export function fileLogger(home: string, name: string): Logger {
  return createLogger({ destination: pino.destination({ dest: join(home, "logs", `${name}.log`), mkdir: true, sync: false }) });
}

/**
 * Starts the REST API and the SNI gateway as the read-only frontend
 * identity: everything the API does for a user goes with that user's own
 * token.
 */
export async function startFrontServices(options: FrontServicesOptions): Promise<FrontServices> {
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
      host: options.host,
      port: options.ports.api,
      managementServer: options.managementServer,
      managementCA: options.managementCA,
      kubeConfig: options.kubeConfig,
      logger: options.logger.child({ component: "api" }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      insecureHTTP: options.insecureHTTP === true,
      kubeconfigFor: (cluster) => clusterTokenKubeconfig(cluster, options.plugin),
      ...(options.dashboard === undefined ? {} : { dashboard: options.dashboard }),
    });
    if (options.domain !== undefined) {
      const log = options.logger.child({ component: "gateway" });
      const watch = watchClusterRoutes({ kubeConfig: options.kubeConfig, domain: options.domain, logger: log });
      routes = watch;
      await watch.waitForSync();
      proxy = await startSNIProxy({ host: options.host, port: options.ports.gateway, resolve: (name) => watch.routes.resolve(name), logger: log });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { apiURL: server.url, gatewayPort: proxy?.port, stop };
}
