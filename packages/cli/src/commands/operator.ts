import { KubeConfig } from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { defaultImageRegistry, isImageReference, parseImageOverrides, type SeedImageOptions } from "@seedbed/controlplane";
import { startOperator, type PlatformAccess } from "@seedbed/operator";
import { createLogger } from "@seedbed/runtime";
import type { LevelWithSilent } from "pino";
import { CliError, ExitCode } from "../errors.ts";

/** Options of `seedbed operator`, the command the Helm chart runs in a pod. */
export interface OperatorCommandOptions {
  readonly driver: string;
  readonly leaderElect?: boolean;
  readonly metricsPort: string;
  readonly metricsHost: string;
  readonly logLevel: string;
  readonly kubeconfig?: string;
  /** Where local control planes live (driver local only). */
  readonly stateDir?: string;
  /** Local tenants' etcds skip fsync: only for throw-away platforms (benchmarks). */
  readonly unsafeNoFsync?: boolean;
  readonly oidcIssuerUrl?: string;
  readonly oidcClientId?: string;
  readonly oidcCaFile?: string;
  readonly oidcUsernameClaim?: string;
  readonly oidcGroupsClaim?: string;
  readonly sharedEndpointDomain?: string;
  readonly sharedEndpointPort?: string;
  /** Registry of the official control-plane images (kubernetes seeds). */
  readonly imageRegistry?: string;
  /** `component=image` settings replacing single images. */
  readonly controlPlaneImage?: readonly string[];
  /** A registry mirror add-on images are pulled from when a seed names none (see Seed spec.imageRegistry). */
  readonly addonImageRegistry?: string;
}

/** The control-plane images from the command line: a clear usage error for a bad one. */
export function controlPlaneImages(options: Pick<OperatorCommandOptions, "imageRegistry" | "controlPlaneImage">): SeedImageOptions {
  const registry = options.imageRegistry ?? defaultImageRegistry;
  if (!isImageReference(registry)) throw new CliError(`--image-registry must be a registry host and path such as registry.k8s.io or registry.example.com/k8s, got "${registry}"`, ExitCode.usage);
  try {
    return { registry, overrides: parseImageOverrides(options.controlPlaneImage ?? []) };
  } catch (error) {
    throw new CliError(`--control-plane-image: ${(error as Error).message}`, ExitCode.usage);
  }
}

/** The platform's login and shared endpoint from the command line. */
function platformAccess(options: OperatorCommandOptions): PlatformAccess {
  const port = Number(options.sharedEndpointPort ?? "6443");
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`--shared-endpoint-port must be a port number, got "${options.sharedEndpointPort ?? ""}"`, ExitCode.usage);
  if (options.oidcIssuerUrl !== undefined && !options.oidcIssuerUrl.startsWith("https://")) throw new CliError(`--oidc-issuer-url must be an https:// URL (the API servers refuse others), got "${options.oidcIssuerUrl}"`, ExitCode.usage);
  return {
    ...(options.oidcIssuerUrl === undefined
      ? {}
      : {
          login: {
            issuerURL: options.oidcIssuerUrl,
            clientID: options.oidcClientId ?? "seedbed",
            ...(options.oidcCaFile === undefined ? {} : { caPEM: readFileSync(options.oidcCaFile, "utf8") }),
            usernameClaim: options.oidcUsernameClaim ?? "email",
            groupsClaim: options.oidcGroupsClaim ?? "groups",
          },
        }),
    ...(options.sharedEndpointDomain === undefined ? {} : { sharedEndpoint: { domain: options.sharedEndpointDomain, port } }),
  };
}

/**
 * Runs every controller in the foreground, as in a pod: in-cluster
 * credentials (or --kubeconfig), leader election on a Lease in
 * $POD_NAMESPACE, metrics and probes on --metrics-port. It installs no
 * CRDs: the chart does, and the operator has no right to.
 */
export async function operatorCommand(options: OperatorCommandOptions): Promise<number> {
  if (options.driver !== "kubernetes" && options.driver !== "local") throw new CliError(`--driver must be kubernetes or local, got "${options.driver}"`, ExitCode.usage);
  if (options.driver === "local" && options.stateDir === undefined) throw new CliError("--driver=local needs --state-dir, where the control planes' files live", ExitCode.usage);
  if (options.unsafeNoFsync === true && options.driver !== "local") throw new CliError("--unsafe-no-fsync applies only to --driver=local (the local tenants' etcds)", ExitCode.usage);
  const metricsPort = Number(options.metricsPort);
  if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) throw new CliError(`--metrics-port must be a port number, got "${options.metricsPort}"`, ExitCode.usage);
  const kubeConfig = new KubeConfig();
  if (options.kubeconfig === undefined) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromFile(options.kubeconfig);
  const namespace = process.env.POD_NAMESPACE ?? "seedbed-system";
  const access = platformAccess(options);
  const images = controlPlaneImages(options);
  const operator = await startOperator({
    kubeConfig,
    stateDir: options.driver === "local" ? options.stateDir : undefined,
    unsafeNoFsync: options.unsafeNoFsync,
    logger: createLogger({ level: options.logLevel as LevelWithSilent }),
    metricsPort,
    metricsHost: options.metricsHost,
    access,
    controlPlaneImages: images,
    ...(options.addonImageRegistry === undefined ? {} : { addons: { imageRegistry: options.addonImageRegistry } }),
    leaderElection: options.leaderElect === true ? { namespace, name: "seedbed-operator", identity: process.env.POD_NAME } : undefined,
  });
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  await operator.stop();
  return ExitCode.ok;
}
