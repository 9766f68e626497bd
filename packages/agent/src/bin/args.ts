import { accessSync, constants } from "node:fs";
import { parseArgs } from "node:util";

/** The agent's command line, checked. */
export interface AgentArgs {
  readonly managementKubeConfig: string;
  readonly tenantKubeConfig: string;
  readonly namespace: string;
  readonly cluster: string;
  /** Only there to be seen on the command line (the host finds its processes by it). */
  readonly marker?: string;
  readonly logLevel: "debug" | "info" | "warn" | "error";
}

/** How to call the agent, printed with every usage error. */
export const usage = "usage: seedbed-agent --management-kubeconfig FILE --tenant-kubeconfig FILE --namespace NAMESPACE --cluster NAME [--marker STRING] [--log-level debug|info|warn|error]";

const logLevels = ["debug", "info", "warn", "error"] as const;

/** Parses and checks `argv` (without node and the script); throws an Error saying what is wrong. */
export function parseAgentArgs(argv: readonly string[]): AgentArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      "management-kubeconfig": { type: "string" },
      "tenant-kubeconfig": { type: "string" },
      namespace: { type: "string" },
      cluster: { type: "string" },
      marker: { type: "string" },
      "log-level": { type: "string" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0] ?? ""}`);
  const required = (name: "management-kubeconfig" | "tenant-kubeconfig" | "namespace" | "cluster"): string => {
    const value = values[name];
    if (value === undefined || value === "") throw new Error(`--${name} is required`);
    return value;
  };
  const logLevel = values["log-level"] ?? "info";
  if (!(logLevels as readonly string[]).includes(logLevel)) throw new Error(`--log-level must be one of ${logLevels.join(", ")}`);
  const args: AgentArgs = {
    managementKubeConfig: required("management-kubeconfig"),
    tenantKubeConfig: required("tenant-kubeconfig"),
    namespace: required("namespace"),
    cluster: required("cluster"),
    ...(values.marker === undefined ? {} : { marker: values.marker }),
    logLevel: logLevel as AgentArgs["logLevel"],
  };
  for (const flag of ["management-kubeconfig", "tenant-kubeconfig"] as const) {
    const file = flag === "management-kubeconfig" ? args.managementKubeConfig : args.tenantKubeConfig;
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new Error(`--${flag} ${file} cannot be read`);
    }
  }
  return args;
}
