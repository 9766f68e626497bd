import { pinnedKubernetesVersion, defaultKubernetesVersion, offeredKubernetesVersions } from "@seedbed/binaries";
import type { Cluster, ClusterTemplate } from "@seedbed/api";

/** A Cluster's spec with the template and the platform defaults filled in: what the platform builds. */
export interface EffectiveClusterSpec {
  /** The pinned patch release to run, e.g. "1.37.1". */
  readonly version: string;
  readonly network: { readonly podCIDR: string; readonly serviceCIDR: string; readonly dnsDomain: string; readonly cni: string };
  readonly controlPlaneReplicas: number;
  readonly etcdMembers: number;
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

const platformNetwork = { podCIDR: "10.244.0.0/16", serviceCIDR: "10.96.0.0/12", dnsDomain: "cluster.local", cni: "calico" } as const;

/**
 * Fills what the Cluster leaves out from its template, then from the
 * platform's defaults, group by group (a Cluster's own network replaces the
 * template's network as a whole). Pure; throws InvalidSpecError when the
 * result cannot be run here.
 */
export function resolveClusterSpec(cluster: Cluster, template: ClusterTemplate | undefined): EffectiveClusterSpec {
  const spec = cluster.spec;
  const tspec = template?.spec;
  const asked = spec.version ?? tspec?.version;
  const version = asked === undefined ? defaultKubernetesVersion : pinnedKubernetesVersion(asked);
  if (version === undefined) {
    const source = spec.version === undefined ? `template ${spec.template ?? ""}` : "spec.version";
    throw new InvalidSpecError("VersionNotOffered", `Kubernetes ${asked ?? ""} (from ${source}) is not offered here; choose one of ${offeredKubernetesVersions().join(", ")}`);
  }
  const network = { ...platformNetwork, ...(tspec?.network ?? {}), ...(spec.network ?? {}) };
  const controlPlane = spec.controlPlane ?? tspec?.controlPlane;
  return {
    version,
    network,
    controlPlaneReplicas: controlPlane?.replicas ?? 1,
    etcdMembers: controlPlane?.datastore?.members ?? 1,
  };
}
