import { pinnedKubernetesVersion, defaultKubernetesVersion, offeredKubernetesVersions } from "@seedbed/binaries";
import type { Cluster, ClusterTemplate } from "@seedbed/api";

/** A Cluster's spec with the template and the platform defaults filled in: what the platform builds. */
export interface EffectiveClusterSpec {
  /** The pinned patch release to run, e.g. "1.37.1". */
  readonly version: string;
  readonly network: { readonly podCIDR: string; readonly serviceCIDR: string; readonly dnsDomain: string; readonly cni: string };
  readonly controlPlaneReplicas: number;
  readonly datastoreType: "Dedicated" | "Shared";
  readonly etcdMembers: number;
  readonly etcdStorage: string;
  readonly exposure: { readonly strategy: "OwnPort" | "SharedSNI"; readonly serviceType: "NodePort" | "LoadBalancer"; readonly allowedSourceRanges: readonly string[] };
  /** Names of the add-ons asked for and enabled. */
  readonly addons: readonly string[];
  /** The backup schedule asked for, if any. */
  readonly backupSchedule?: string;
  /** Where each group came from, for messages: "spec" or "template <name>". */
  readonly sources: { readonly controlPlane: string; readonly network: string; readonly exposure: string; readonly addons: string; readonly backup: string };
}

/** Why a spec cannot be built; reported as SpecValid=False, never retried. */
export class InvalidSpecError extends Error {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = "InvalidSpecError";
    this.reason = reason;
  }
}

const platformNetwork = { podCIDR: "10.244.0.0/16", serviceCIDR: "10.96.0.0/12", dnsDomain: "cluster.local", cni: "none" } as const;

/**
 * Fills what the Cluster leaves out from its template, then from the
 * platform's defaults, group by group (a Cluster's own network replaces the
 * template's network as a whole). Pure; throws InvalidSpecError when the
 * result cannot be run here.
 */
export function resolveClusterSpec(cluster: Cluster, template: ClusterTemplate | undefined): EffectiveClusterSpec {
  const spec = cluster.spec;
  const tspec = template?.spec;
  const version = resolveVersion(cluster, template);
  const network = { ...platformNetwork, ...(tspec?.network ?? {}), ...(spec.network ?? {}) };
  const controlPlane = spec.controlPlane ?? tspec?.controlPlane;
  const exposure = spec.exposure ?? tspec?.exposure;
  return {
    version,
    network,
    controlPlaneReplicas: controlPlane?.replicas ?? 1,
    etcdMembers: controlPlane?.datastore?.members ?? 1,
    etcdStorage: String(controlPlane?.datastore?.storage ?? "1Gi"),
    exposure: { strategy: "OwnPort", serviceType: "NodePort", ...exposure, allowedSourceRanges: exposure?.allowedSourceRanges ?? [] },
    ...extras(cluster, template),
  };
}

/** The add-ons, backups and where each group came from (for messages that name a template). */
function extras(cluster: Cluster, template: ClusterTemplate | undefined): Pick<EffectiveClusterSpec, "datastoreType" | "addons" | "backupSchedule" | "sources"> {
  const spec = cluster.spec;
  const datastore = (spec.controlPlane ?? template?.spec.controlPlane)?.datastore;
  const addons = spec.addons ?? template?.spec.addons ?? [];
  const backup = spec.backup ?? template?.spec.backup;
  const from = (own: unknown): string => (own !== undefined || template === undefined ? "spec" : `template ${template.metadata.name ?? ""}`);
  return {
    datastoreType: datastore?.type ?? "Dedicated",
    addons: addons.filter((a) => a.enabled).map((a) => a.name),
    ...(backup === undefined ? {} : { backupSchedule: backup.schedule }),
    sources: { controlPlane: from(spec.controlPlane), network: from(spec.network), exposure: from(spec.exposure), addons: from(spec.addons), backup: from(spec.backup) },
  };
}

/** The pinned version to run: the cluster's, else the template's, else the default. */
function resolveVersion(cluster: Cluster, template: ClusterTemplate | undefined): string {
  const asked = cluster.spec.version ?? template?.spec.version;
  if (asked === undefined) return defaultKubernetesVersion;
  const version = pinnedKubernetesVersion(asked);
  if (version !== undefined) return version;
  const source = cluster.spec.version === undefined ? `template ${cluster.spec.template ?? ""}` : "spec.version";
  throw new InvalidSpecError("VersionNotOffered", `Kubernetes ${asked} (from ${source}) is not offered here; choose one of ${offeredKubernetesVersions().join(", ")}`);
}
