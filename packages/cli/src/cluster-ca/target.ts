import { CliError, ExitCode } from "../cli-error.ts";

// What `seedbed token` is told about the cluster it serves. Loaded by the
// exec plugin on every kubectl run: nothing heavy here.

/** The cluster a token kubeconfig is for, and the CA file it names: what `seedbed token` refreshes. */
export interface TokenTarget {
  readonly project: string;
  readonly cluster: string;
  /** The kubeconfig's certificate-authority (absolute path). */
  readonly caFile: string;
}

/** The exec plugin's arguments for a target (after `token`). */
export function tokenTargetArgs(target: TokenTarget): string[] {
  return ["--project", target.project, "--cluster", target.cluster, "--ca-file", target.caFile];
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The target named by `--project`, `--cluster` and `--ca-file` (all three,
 * or none: a kubeconfig of `seedbed up` or `seedbed login` names none and
 * gets its token only). Names must be DNS labels, so that they never
 * climb out of a directory.
 */
export function tokenTarget(options: { readonly project?: string | undefined; readonly cluster?: string | undefined; readonly caFile?: string | undefined }): TokenTarget | undefined {
  const { project, cluster, caFile } = options;
  if (project === undefined && cluster === undefined && caFile === undefined) return undefined;
  if (project === undefined || cluster === undefined || caFile === undefined) {
    throw new CliError("token: --project, --cluster and --ca-file go together (the cluster whose CA file to keep current); give all three or none", ExitCode.usage);
  }
  for (const [flag, value] of [["--project", project], ["--cluster", cluster]] as const) {
    if (!dnsLabel.test(value) || value.length > 63) throw new CliError(`token: ${flag} must be a name (lowercase letters, digits and '-'), got "${value}"`, ExitCode.usage);
  }
  if (!caFile.startsWith("/")) throw new CliError(`token: --ca-file must be an absolute path, got "${caFile}"`, ExitCode.usage);
  return { project, cluster, caFile };
}

const flags = { "--project": "project", "--cluster": "cluster", "--ca-file": "caFile" } as const;

/**
 * The arguments after `token`, parsed by hand: kubectl runs the plugin
 * for each new process, and commander with every command costs it about
 * a tenth of a second.
 */
export function parseTokenArgs(args: readonly string[]): TokenTarget | undefined {
  const found: { project?: string; cluster?: string; caFile?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!Object.hasOwn(flags, flag)) throw new CliError(`token: unknown argument "${arg}" (it takes --project, --cluster and --ca-file)`, ExitCode.usage);
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new CliError(`token: ${flag} needs a value`, ExitCode.usage);
    found[flags[flag as keyof typeof flags]] = value;
  }
  return tokenTarget(found);
}
