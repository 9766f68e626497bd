import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { createLogger } from "@seedbed/runtime";
import type { LevelWithSilent } from "pino";
import { dashboardBuilt, dashboardDistDir } from "@seedbed/dashboard";
import { listenRefusal, type DashboardOptions } from "@seedbed/server";
import { CliError, ExitCode } from "../errors.ts";
import { startFrontServices } from "../up/services.ts";

/** Options of `seedbed serve`, the command the Helm chart's server pods run. */
export interface ServeCommandOptions {
  readonly host: string;
  readonly apiPort: string;
  readonly gatewayPort: string;
  readonly sharedEndpointDomain?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** Plain HTTP off loopback: only where TLS ends in front (an Ingress, a mesh). */
  readonly insecureHttp?: boolean;
  readonly kubeconfig?: string;
  readonly logLevel: string;
  /** Serve the dashboard, logging in with this issuer. */
  readonly oidcIssuerUrl?: string;
  readonly oidcClientId?: string;
}

/** The dashboard's settings: with an issuer named and the dashboard built; an issuer without a build is refused, naming the fix. */
export function serveDashboard(options: Pick<ServeCommandOptions, "oidcIssuerUrl" | "oidcClientId">, built: boolean): DashboardOptions | undefined {
  if (options.oidcIssuerUrl === undefined) return undefined;
  if (!options.oidcIssuerUrl.startsWith("https://")) throw new CliError(`--oidc-issuer-url must be an https:// URL, got "${options.oidcIssuerUrl}"`, ExitCode.usage);
  if (!built) throw new CliError(`--oidc-issuer-url asks for the dashboard, but it is not built at ${dashboardDistDir}: run \`make dashboard\` (the Seedbed image built after it carries it)`, ExitCode.usage);
  return { distDir: dashboardDistDir, issuerURL: options.oidcIssuerUrl, clientID: options.oidcClientId ?? "seedbed" };
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--${flag} must be a port number, got "${value}"`, ExitCode.usage);
  return n;
}

/** What to do about a refused listen, in this command's flags. */
const serveFixes = "serve HTTPS with --tls-cert-file and --tls-key-file (in the Helm chart: server.tls.secretName), "
  + "listen on loopback with --host=127.0.0.1 (the default), or pass --insecure-http only when TLS ends in front of the server (an Ingress, a service mesh)";

/**
 * Runs the REST API and the SNI gateway in the foreground, as in a pod:
 * users' tokens go on to the API server this pod's credentials name (in a
 * pod, the cluster it runs in); its own identity only reads projects and
 * cluster endpoints. Kubeconfigs it hands out run `seedbed token`. Plain
 * HTTP only on loopback, unless --insecure-http says TLS ends in front.
 */
export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  const apiPort = port("api-port", options.apiPort);
  const gatewayPort = port("gateway-port", options.gatewayPort);
  if ((options.tlsCertFile === undefined) !== (options.tlsKeyFile === undefined)) throw new CliError("--tls-cert-file and --tls-key-file go together", ExitCode.usage);
  // Before anything else: users' bearer tokens never cross a network in clear.
  const dashboard = serveDashboard(options, dashboardBuilt());
  const refusal = listenRefusal({ host: options.host, tls: options.tlsCertFile !== undefined, insecureHTTP: options.insecureHttp === true }, serveFixes);
  if (refusal !== undefined) throw new CliError(`--host=${options.host}: ${refusal}`, ExitCode.usage);
  const kubeConfig = new KubeConfig();
  if (options.kubeconfig === undefined) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromFile(options.kubeconfig);
  const cluster = kubeConfig.getCurrentCluster();
  const managementCA = cluster?.caData !== undefined ? Buffer.from(cluster.caData, "base64").toString("utf8") : cluster?.caFile !== undefined ? readFileSync(cluster.caFile, "utf8") : undefined;
  if (cluster === null || managementCA === undefined) throw new CliError("the kubeconfig names no API server with a CA: run in a pod, or pass --kubeconfig", ExitCode.usage);
  const services = await startFrontServices({
    host: options.host,
    ports: { api: apiPort, gateway: gatewayPort },
    managementServer: cluster.server,
    managementCA,
    kubeConfig,
    domain: options.sharedEndpointDomain,
    logger: createLogger({ level: options.logLevel as LevelWithSilent }),
    insecureHTTP: options.insecureHttp === true,
    tls: options.tlsCertFile === undefined || options.tlsKeyFile === undefined ? undefined : { cert: readFileSync(options.tlsCertFile, "utf8"), key: readFileSync(options.tlsKeyFile, "utf8") },
    plugin: { command: "seedbed", args: ["token"] },
    ...(dashboard === undefined ? {} : { dashboard }),
  });
  process.stdout.write(`Serving the REST API at ${services.apiURL}${dashboard === undefined ? "" : " and the dashboard at /"}${services.gatewayPort === undefined ? "" : ` and the shared endpoint on port ${String(services.gatewayPort)}`}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  await services.stop();
  return ExitCode.ok;
}
