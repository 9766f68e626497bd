import { existsSync } from "node:fs";
import { CustomObjectsApi, KubeConfig, Watch, CoreV1Api } from "@kubernetes/client-node";
import { CliError, ExitCode } from "./errors.ts";
import { credentialsDir, currentLogin, managementKubeconfigOf } from "./credentials.ts";
import { managementKubeconfigPath, seedbedHome } from "./home.ts";

/** Options every command takes. */
export interface GlobalOptions {
  readonly kubeconfig?: string;
  readonly project?: string;
}

/** What a command needs to talk to the management API. */
export interface CommandContext {
  readonly kubeConfig: KubeConfig;
  readonly server: string;
  readonly project: string;
  /** The project's namespace: project-<project>. */
  readonly namespace: string;
  readonly objects: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly watch: Watch;
  readonly out: NodeJS.WritableStream;
}

/** The project used when --project is not given. */
export const defaultProject = "default";

/**
 * The management API as whom: --kubeconfig (or $SEEDBED_KUBECONFIG) when
 * given; else the user `seedbed login` logged in (the kubeconfig it wrote,
 * whose user runs the `seedbed token` plugin); else the admin kubeconfig
 * `seedbed up` wrote.
 */
export function managementKubeConfig(options: GlobalOptions): KubeConfig {
  const kubeConfig = new KubeConfig();
  const explicit = options.kubeconfig ?? process.env.SEEDBED_KUBECONFIG;
  const login = explicit === undefined ? currentLogin() : undefined;
  const path = explicit ?? (login === undefined ? managementKubeconfigPath(seedbedHome()) : managementKubeconfigOf(credentialsDir()));
  if (!existsSync(path)) {
    throw new CliError(`no kubeconfig for the management API at ${path}: log in with \`seedbed login\`, start the platform with \`make up\` (it writes one there), or pass --kubeconfig`, ExitCode.unreachable);
  }
  kubeConfig.loadFromFile(path);
  return kubeConfig;
}

/** Connects to the management API (see managementKubeConfig) and resolves the project. */
export function commandContext(options: GlobalOptions, out: NodeJS.WritableStream = process.stdout): CommandContext {
  const kubeConfig = managementKubeConfig(options);
  const project = options.project ?? defaultProject;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(project) || project.length > 24) {
    throw new CliError(`--project must be a project name (lowercase letters, digits and '-', at most 24 characters), got "${project}"`, ExitCode.usage);
  }
  return {
    kubeConfig,
    server: kubeConfig.getCurrentCluster()?.server ?? "",
    project,
    namespace: `project-${project}`,
    objects: kubeConfig.makeApiClient(CustomObjectsApi),
    core: kubeConfig.makeApiClient(CoreV1Api),
    watch: new Watch(kubeConfig),
    out,
  };
}
