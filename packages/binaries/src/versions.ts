import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The pins of tools/k8s/versions.json, the only place versions are written. */
export interface Versions {
  readonly node: string;
  /** Every Kubernetes version offered, newest first; the first is the default. */
  readonly kubernetes: readonly string[];
  readonly etcd: string;
  readonly kwok: string;
  readonly helm: string;
  /** Seedbed's own pause program (tools/k8s/pause), the sandbox image of the nodes it starts. */
  readonly pause: string;
  /** CoreDNS with the plugins Kubernetes' default Corefile uses (tools/k8s/coredns). */
  readonly coredns: string;
  /** SIG Network's NetworkPolicy enforcer, run on each real node (tools/k8s/netpol). */
  readonly kubeNetworkPolicies: string;
  /** The S3 server of etcd backups (github.com/versity/versitygw). */
  readonly versitygw: string;
  /** The OCI registry the Helm add-on tests serve charts from (github.com/distribution/distribution, its cmd/registry). */
  readonly distribution: string;
  /** What the built-in add-ons run (their main images' tags) and the chart versions of the CNI add-ons, from their upstream Helm repositories. */
  readonly addons: {
    readonly metricsServer: string;
    readonly dashboard: string;
    readonly dashboardMetricsScraper: string;
    readonly calico: string;
    readonly flannel: string;
    readonly cilium: string;
  };
}

/** Path of the versions file, for tools that read it themselves. */
export const versionsFile: string = fileURLToPath(new URL("../../../tools/k8s/versions.json", import.meta.url));

function loadVersions(): Versions {
  const parsed = JSON.parse(readFileSync(versionsFile, "utf8")) as Versions;
  if (!Array.isArray(parsed.kubernetes) || parsed.kubernetes.length === 0) {
    throw new Error(`${versionsFile}: "kubernetes" must list at least one version, e.g. ["1.37.1"]`);
  }
  return parsed;
}

/** The pinned versions, read once. */
export const versions: Versions = loadVersions();

/** The Kubernetes version new clusters and the management API use unless told otherwise. */
export const defaultKubernetesVersion: string = versions.kubernetes[0] ?? "";

/** "1.37.1" → "1.37". */
export function minorOf(version: string): string {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(version);
  if (!match) throw new Error(`"${version}" is not a Kubernetes version: write MAJOR.MINOR.PATCH, e.g. ${defaultKubernetesVersion}`);
  return `${match[1]}.${match[2]}`;
}

/** The minor of a Kubernetes 1.x version as a number ("1.37", "1.37.1" or "v1.37.1" → 37), for skew arithmetic; undefined for anything else. */
export function minorNumberOf(version: string): number | undefined {
  const match = /^v?1\.(\d+)(?:\.\d+)?$/.exec(version);
  return match === null ? undefined : Number(match[1]);
}

/** The pinned patch release for a minor ("1.37" or "1.37.1"), or undefined when that minor is not offered. */
export function pinnedKubernetesVersion(versionOrMinor: string): string | undefined {
  const minor = minorOf(versionOrMinor.split(".").length === 2 ? `${versionOrMinor}.0` : versionOrMinor);
  return versions.kubernetes.find((v) => minorOf(v) === minor);
}

/** The offered versions, newest first, for messages. */
export function offeredKubernetesVersions(): readonly string[] {
  return versions.kubernetes;
}
