import { ClusterConditions, ClusterReasons } from "@seedbed/api";
import type { DriverCapabilities } from "@seedbed/controlplane";
import type { ConditionInput } from "@seedbed/runtime";
import type { EffectiveClusterSpec } from "./resolve.ts";

/** Where a cluster runs, as far as what can be carried out there goes. */
export interface SupportContext {
  readonly seed: string;
  readonly driver: string;
  readonly capabilities: DriverCapabilities;
  /** Whether the platform has a shared SNI endpoint (`seedbed serve` with a shared domain). */
  readonly sharedEndpoint: boolean;
  /** The etcd member count the datastore was built for (status.controlPlane.builtMembers), once built. */
  readonly builtEtcdMembers?: number;
  /** Why the datastore type asked for is not the one built (chooseDatastore); absent when it is. */
  readonly datastoreUnsupported?: string;
  /** The cluster's data is in a shared etcd: datastore.storage is its limit there, honoured on every seed that offers one. */
  readonly sharedDatastore?: boolean;
}

/**
 * The etcd member count to build: the spec's, unless the driver cannot
 * change membership and the datastore was built for another count (growing
 * a running etcd without learners would break it).
 */
export function etcdMembersToBuild(spec: Pick<EffectiveClusterSpec, "etcdMembers">, context: Pick<SupportContext, "capabilities" | "builtEtcdMembers">): number {
  const built = context.builtEtcdMembers;
  return context.capabilities.etcdMembershipChanges || built === undefined ? spec.etcdMembers : built;
}

/** A field of the effective spec that is accepted but not carried out, and what to do about it. */
export interface UnsupportedField {
  /** Its path, e.g. "spec.controlPlane.replicas". */
  readonly field: string;
  /** What happens instead and what to do, naming the field and the seed or driver. */
  readonly message: string;
}

/** A field's path, and the template it came from when the Cluster left it out. */
function path(field: string, source: string): string {
  return source === "spec" ? field : `${field} (from ${source})`;
}

/**
 * The fields of a cluster's effective spec that its seed's driver (or the
 * platform) does not carry out, in a stable order. Pure: what is
 * unsupported follows from the spec and the driver's capabilities alone.
 * Later releases shrink this list as they implement add-ons, CNIs,
 * scheduled backups and a shared datastore.
 */
export function unsupportedFields(spec: EffectiveClusterSpec, context: SupportContext): UnsupportedField[] {
  const can = context.capabilities;
  const sources = spec.sources;
  const where = `seed ${context.seed} (driver ${context.driver})`;
  const found: UnsupportedField[] = [];
  const add = (field: string, source: string, message: (at: string) => string): void => {
    const at = path(field, source);
    found.push({ field, message: message(at) });
  };
  if (spec.controlPlaneReplicas > can.maxAPIServerReplicas) {
    add("spec.controlPlane.replicas", sources.controlPlane, (at) => `${at} is ${spec.controlPlaneReplicas}, but ${where} runs at most ${can.maxAPIServerReplicas} kube-apiserver per cluster, so it runs ${can.maxAPIServerReplicas}; set replicas to ${can.maxAPIServerReplicas}, or create the cluster on a kubernetes seed for more`);
  }
  const datastore = context.datastoreUnsupported ?? (spec.datastoreType === "Shared" && !can.sharedDatastore ? `is Shared, but ${where} offers no shared etcd yet, so the cluster gets an etcd of its own; set type: Dedicated` : undefined);
  if (datastore !== undefined) add("spec.controlPlane.datastore.type", sources.controlPlane, (at) => `${at} ${datastore}`);
  const toBuild = etcdMembersToBuild(spec, context);
  if (toBuild !== spec.etcdMembers) {
    add("spec.controlPlane.datastore.members", sources.controlPlane, (at) => `${at} is ${spec.etcdMembers}, but ${where} does not change a running etcd's membership yet, so it keeps the ${toBuild} member(s) it was built with; set members back to ${toBuild}, or move the cluster to a local seed through a backup and restore`);
  } else if (spec.etcdMembers > can.maxEtcdMembers) {
    add("spec.controlPlane.datastore.members", sources.controlPlane, (at) => `${at} is ${spec.etcdMembers}, but ${where} runs at most ${can.maxEtcdMembers} etcd member per cluster, so it runs ${can.maxEtcdMembers} (no quorum to lose, no high availability); use a kubernetes seed for ${spec.etcdMembers} members`);
  }
  if (!can.etcdStorageSize && context.sharedDatastore !== true && spec.etcdStorage !== "1Gi") {
    add("spec.controlPlane.datastore.storage", sources.controlPlane, (at) => `${at} is ${spec.etcdStorage}, but ${where} keeps etcd's data in a directory of no set size; leave storage out on this seed`);
  }
  if (!can.serviceTypes.includes(spec.exposure.serviceType)) {
    add("spec.exposure.serviceType", sources.exposure, (at) => `${at} is ${spec.exposure.serviceType}, but ${where} serves the API on a port of its own (${can.serviceTypes.join(" or ")}); use ${can.serviceTypes[0] ?? "another seed"}, or a kubernetes seed for a ${spec.exposure.serviceType}`);
  }
  if (!can.allowedSourceRanges && spec.exposure.allowedSourceRanges.length > 0) {
    add("spec.exposure.allowedSourceRanges", sources.exposure, (at) => `${at} is set, but ${where} does not filter clients: the API listens on loopback, open to every user of this machine; remove it, or use a kubernetes seed to limit clients`);
  }
  if (spec.exposure.strategy === "SharedSNI" && !context.sharedEndpoint) {
    add("spec.exposure.strategy", sources.exposure, (at) => `${at} is SharedSNI, but this platform has no shared endpoint, so the cluster is reached only at status.endpoint; set strategy: OwnPort, or start the platform with a shared endpoint domain`);
  }
  // spec.network.cni and spec.addons are carried out on every seed by the add-on controller (reconcilers/addons), which reports them in status.addons.
  if (spec.backupSchedule !== undefined && !can.backups) {
    add("spec.backup", sources.backup, (at) => `${at} asks for snapshots on "${spec.backupSchedule ?? ""}", but ${where} takes none yet (this operator cannot reach its etcd): back such clusters up yourself, or create them on a local or kubernetes seed`);
  }
  return found;
}

/** The SpecSupported condition for a list of unsupported fields: informational, it never holds the cluster back. */
export function specSupportedCondition(fields: readonly UnsupportedField[], context: Pick<SupportContext, "seed" | "driver">): ConditionInput {
  if (fields.length === 0) {
    return { type: ClusterConditions.SpecSupported, status: "True", reason: ClusterReasons.Supported, message: `every field of the spec is carried out on seed ${context.seed} (driver ${context.driver})` };
  }
  return { type: ClusterConditions.SpecSupported, status: "False", reason: ClusterReasons.NotSupported, message: fields.map((f) => f.message).join("; ") };
}
