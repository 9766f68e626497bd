import Type from "typebox";
import { Duration, StringEnum } from "../schema/primitives.ts";

/** The days a maintenance window may name (UTC). */
export const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

/** A recurring time, in UTC, when upgrades started by an UpgradePlan may begin. */
export const MaintenanceWindow = Type.Object({
  days: Type.Optional(Type.Array(StringEnum(weekdays), { minItems: 1, maxItems: 7, "x-kubernetes-list-type": "set", description: "Days (UTC) the window opens on; every day when left out." })),
  start: Type.String({
    maxLength: 5,
    description: "When the window opens, HH:MM in UTC, e.g. \"02:00\".",
    "x-kubernetes-validations": [{ rule: "self.matches('^([01][0-9]|2[0-3]):[0-5][0-9]$')", messageExpression: "'must be HH:MM (24-hour, UTC) such as \"02:00\"; got \\'' + self + '\\''" }],
  }),
  duration: Duration({
    description: "How long the window stays open, e.g. \"4h\" (at most a week).",
    "x-kubernetes-validations": [{ rule: "duration(self) >= duration('1m') && duration(self) <= duration('168h')", messageExpression: "'must lie between 1m and 168h; got ' + self" }],
  }),
});
/** A maintenance window. */
export type MaintenanceWindow = Type.Static<typeof MaintenanceWindow>;

/** How a cluster's upgrades are carried out. */
export const UpgradePolicy = Type.Object({
  deadline: Duration({
    default: "30m",
    description: "How long an upgrade (or a rollback) may take before it stops where it is and reports UpgradeFailed (condition Upgrade); roll it back with `seedbed cluster rollback NAME`.",
    "x-kubernetes-validations": [{ rule: "duration(self) >= duration('1m') && duration(self) <= duration('24h')", messageExpression: "'must lie between 1m and 24h; got ' + self" }],
  }),
  snapshot: StringEnum(["Required", "Skip"], {
    default: "Required",
    description: "Required: an etcd snapshot is taken before anything changes, and the upgrade waits for it (a rollback restores it). Skip: none is taken (clusters whose data does not matter, or seeds that take no snapshots); a rollback then keeps the data as it is, which Kubernetes' storage versions allow one minor back.",
  }),
  maintenanceWindows: Type.Optional(Type.Array(MaintenanceWindow, {
    maxItems: 16,
    description: "When upgrades started by an UpgradePlan may begin (any time when empty; the project's spec.upgrade windows when left out). A spec.version changed by hand starts at once.",
  })),
});
/** A cluster's or project's upgrade policy. */
export type UpgradePolicy = Type.Static<typeof UpgradePolicy>;

/** The steps of an upgrade, in the Kubernetes version-skew order, and of a rollback. */
export const upgradeSteps = ["Snapshot", "Etcd", "APIServer", "Controllers", "NodePools", "Done"] as const;
/** One step of an upgrade. */
export type UpgradeStep = (typeof upgradeSteps)[number];

/** Where an upgrade stands. */
export const upgradePhases = ["Upgrading", "Completed", "Failed", "RollingBack", "RolledBack"] as const;

/** The cluster's last upgrade (or its rollback), step by step. */
export const ClusterUpgradeStatus = Type.Object({
  from: Type.String({ maxLength: 16, description: "The version the control plane ran before the upgrade." }),
  to: Type.String({ maxLength: 16, description: "The version the upgrade goes to." }),
  phase: StringEnum(upgradePhases, { description: "Upgrading; Completed; Failed (stopped past its deadline: see message); RollingBack (spec.version set back to from); RolledBack." }),
  step: StringEnum(upgradeSteps, { description: "The step under way: Snapshot (the pre-upgrade etcd snapshot), Etcd, APIServer (one replica at a time), Controllers (kube-controller-manager, kube-scheduler), NodePools (machines replaced within each pool's surge and unavailability limits), Done. A rollback goes NodePools, then Snapshot (restore), then the control plane." }),
  message: Type.Optional(Type.String({ maxLength: 4096, description: "What the step does or waits for." })),
  startedTime: Type.String({ format: "date-time" }),
  stepStartedTime: Type.Optional(Type.String({ format: "date-time" })),
  completionTime: Type.Optional(Type.String({ format: "date-time" })),
  snapshot: Type.Optional(Type.String({ maxLength: 63, description: "The EtcdBackup taken before the upgrade: a rollback restores it." })),
  restore: Type.Optional(Type.String({ maxLength: 63, description: "The EtcdRestore a rollback made from the snapshot." })),
  plan: Type.Optional(Type.String({ maxLength: 63, description: "The UpgradePlan that started the upgrade, if one did." })),
  rollback: Type.Optional(Type.Boolean({ description: "True from the moment the upgrade is rolled back (phases RollingBack, RolledBack, and Failed when the rollback stopped past its deadline)." })),
});
/** A cluster's upgrade status. */
export type ClusterUpgradeStatus = Type.Static<typeof ClusterUpgradeStatus>;

/** Whether an upgrade or its rollback is under way (not finished, not stopped). */
export function isUpgradeUnderway(upgrade: Pick<ClusterUpgradeStatus, "phase"> | undefined): boolean {
  return upgrade?.phase === "Upgrading" || upgrade?.phase === "RollingBack";
}

/** The annotation an UpgradePlan sets on the Clusters it upgrades, naming itself (recorded in status.upgrade.plan). */
export const upgradePlanAnnotation = "seedbed.dev/upgrade-plan";

/**
 * The kubelet version the machines of a cluster's node pools that follow it
 * (no spec.version of their own) run to: the version its control plane
 * runs, except while a rollback runs, when machines go back first, so that
 * no kubelet is ever newer than kube-apiserver.
 */
export function nodeVersionOf(cluster: { readonly status?: { readonly version?: string; readonly upgrade?: Pick<ClusterUpgradeStatus, "phase" | "from"> } }): string | undefined {
  const upgrade = cluster.status?.upgrade;
  if (upgrade?.phase === "RollingBack") return upgrade.from;
  return cluster.status?.version;
}

/** The policy a cluster's upgrades follow: its own spec.upgrade, else its project's, else the defaults. */
export function effectiveUpgradePolicy(cluster: { readonly spec: { readonly upgrade?: UpgradePolicy } }, project: { readonly spec: { readonly upgrade?: UpgradePolicy } } | undefined): { readonly deadline: string; readonly snapshot: "Required" | "Skip"; readonly maintenanceWindows: readonly MaintenanceWindow[] } {
  const own = cluster.spec.upgrade;
  const inherited = project?.spec.upgrade;
  return {
    deadline: own?.deadline ?? inherited?.deadline ?? "30m",
    snapshot: own?.snapshot ?? inherited?.snapshot ?? "Required",
    maintenanceWindows: own?.maintenanceWindows ?? inherited?.maintenanceWindows ?? [],
  };
}
