import { existsSync } from "node:fs";
import { CustomObjectsApi, KubeConfig, Watch, CoreV1Api } from "@kubernetes/client-node";
import { CliError, ExitCode } from "./errors.ts";
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

/** Loads the management kubeconfig (--kubeconfig, or $SEEDBED_HOME/management.kubeconfig) and resolves the project. */
export function commandContext(options: GlobalOptions, out: NodeJS.WritableStream = process.stdout): CommandContext {
  const path = options.kubeconfig ?? process.env.SEEDBED_KUBECONFIG ?? managementKubeconfigPath(seedbedHome());
  if (!existsSync(path)) {
    throw new CliError(`no kubeconfig for the management API at ${path}: start the platform with \`make up\` (it writes one there), or pass --kubeconfig`, ExitCode.unreachable);
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
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
