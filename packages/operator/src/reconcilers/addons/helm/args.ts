import type { HelmChart } from "../catalog/types.ts";

/** Where one call's files are, and how long helm may wait for a Kubernetes operation (its --timeout). */
export interface CallArgs {
  readonly kubeconfig: string;
  readonly values: string;
  readonly timeoutMs: number;
  /** The chart's CA bundle, written out, when it has one. */
  readonly caFile?: string;
}

/** Releases keep this many revisions (helm's Secrets in the tenant); enough to read a rollback's history. */
export const historyMax = 5;

/**
 * `helm upgrade --install` of a chart. Every option is written `--name=value`
 * and the options end with `--`, so that no name or version from a spec is
 * ever read as a flag.
 */
export function upgradeInstallArgs(chart: HelmChart, call: CallArgs): string[] {
  const oci = chart.repository.startsWith("oci://");
  // An OCI chart is named by its full reference; a classic repository by name plus --repo.
  const reference = oci ? `${chart.repository.replace(/\/+$/, "")}/${chart.chart}` : chart.chart;
  return [
    "upgrade",
    "--install",
    ...(oci ? [] : [`--repo=${chart.repository}`]),
    // For a classic repository and an OCI registry alike (helm's registry client takes it too).
    ...(call.caFile === undefined ? [] : [`--ca-file=${call.caFile}`]),
    `--version=${chart.version}`,
    `--namespace=${chart.namespace}`,
    "--create-namespace",
    `--values=${call.values}`,
    // Exactly these values over the chart's defaults, never merged with the last release's.
    "--reset-values",
    `--history-max=${historyMax}`,
    // Server-side apply. helm 4 installs with it by default, but an
    // upgrade's default is "auto": whatever the previous release used
    // (`helm upgrade --help`, 4.3.1). Naming it makes every revision go the
    // same way, including a release first made by client-side apply.
    // Conflicts are forced, as Kubernetes advises controllers that own their
    // objects: a reconciler cannot settle a conflict by hand, and the chart's
    // rendering is the state to converge to (a field someone changed with
    // kubectl is taken back at the next upgrade).
    "--server-side=true",
    "--force-conflicts",
    // No --wait: readiness is the reconciler's to judge, without holding a worker.
    "--output=json",
    ...kubeArgs(call),
    "--",
    chart.release,
    reference,
  ];
}

/** `helm uninstall`, where a release that is not there is a success. */
export function uninstallArgs(release: string, namespace: string, call: CallArgs): string[] {
  return ["uninstall", `--namespace=${namespace}`, "--ignore-not-found", ...kubeArgs(call), "--", release];
}

/**
 * `helm get metadata`: the release's revision, status and chart versions.
 * Not `helm status -o json`: helm 4 strips the chart from that output
 * (pkg/cmd/status.go), so it has no chart version. It takes no --timeout:
 * it makes one read.
 */
export function metadataArgs(release: string, namespace: string, call: Pick<CallArgs, "kubeconfig">): string[] {
  return ["get", "metadata", `--namespace=${namespace}`, "--output=json", `--kubeconfig=${call.kubeconfig}`, "--", release];
}

// helm's own --timeout bounds its hooks; the runner kills the process itself at the same limit.
function kubeArgs(call: CallArgs): string[] {
  return [`--kubeconfig=${call.kubeconfig}`, `--timeout=${Math.max(1, Math.ceil(call.timeoutMs / 1000))}s`];
}
