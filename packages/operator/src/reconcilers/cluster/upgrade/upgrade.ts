import { createHash } from "node:crypto";
import { apiVersion, effectiveUpgradePolicy, isUpgradeUnderway, upgradePlanAnnotation, type Cluster, type ClusterUpgradeStatus, type EtcdBackup, type EtcdRestore, type NodePool, type Project } from "@seedbed/api";
import { versions } from "@seedbed/binaries";
import type { ComponentHealth, ComponentVersions } from "@seedbed/controlplane";
import { applyStatus, isConflict, isNotFound, type Clock, type EventRecorder, type ObjectClient } from "@seedbed/runtime";
import { durationMs } from "../../duration.ts";
import { advanceUpgrade, beginUpgrade, versionsAt, type UpgradeAction, type UpgradeObservation } from "./steps.ts";
import { clusterOwnedStatus } from "../status-owner.ts";

/** Labels on what an upgrade makes: its cluster, and what for (kept out of scheduled retention). */
export const upgradeLabels = { cluster: "seedbed.dev/cluster", purpose: "seedbed.dev/purpose" } as const;

/** What the upgrade of a cluster reads and writes. */
export interface ClusterUpgradeOptions {
  readonly client: ObjectClient;
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly backups: (cluster: Cluster) => readonly EtcdBackup[];
  readonly restores: (cluster: Cluster) => readonly EtcdRestore[];
  readonly nodePools: (namespace: string, cluster: string) => readonly NodePool[];
  readonly project: (name: string) => Project | undefined;
}

/** Where an upgrade stands before the control plane is applied. */
export interface PreparedUpgrade {
  /** The record in force this pass (undefined: the cluster was never upgraded). */
  readonly upgrade: ClusterUpgradeStatus | undefined;
  /** The versions to apply; undefined: every component at the spec's version. */
  readonly versions: ComponentVersions | undefined;
}

/**
 * Carries out a cluster's upgrades (steps.ts decides): records an upgrade
 * before anything changes, hands the driver the versions of its step, and
 * after the driver has applied them makes what the next step needs (the
 * pre-upgrade EtcdBackup, a rollback's EtcdRestore) and reports each step.
 */
export class ClusterUpgrades {
  readonly #o: ClusterUpgradeOptions;

  constructor(options: ClusterUpgradeOptions) {
    this.#o = options;
  }

  /** Begins an upgrade or a rollback the spec asks for (written to status before it is acted on) and returns the versions of its step. */
  async prepare(cluster: Cluster, target: string): Promise<PreparedUpgrade> {
    const running = cluster.status?.version;
    let upgrade = cluster.status?.upgrade;
    const policy = this.#policy(cluster);
    const begun = beginUpgrade({ target, running, upgrade, snapshot: policy.snapshot, plan: cluster.metadata.annotations?.[upgradePlanAnnotation], now: this.#now() });
    if (begun !== undefined) {
      // Written first: the snapshot's and the restore's names come from it, so a pass that dies after making one finds it again.
      await this.#writeRecord(cluster, begun);
      upgrade = begun;
      this.#o.events.record(cluster, begun.rollback === true
        ? { reason: "RollbackStarted", action: "Rollback", note: `rolling back from ${begun.to} to ${begun.from}: node pools first, then ${begun.snapshot === undefined ? "the control plane (no pre-upgrade snapshot: the data is kept)" : `etcd from the pre-upgrade snapshot ${begun.snapshot}, then the control plane`}` }
        : { reason: "UpgradeStarted", action: "Upgrade", note: `upgrading from ${begun.from} to ${begun.to}${begun.plan === undefined ? "" : ` (UpgradePlan ${begun.plan})`}: ${begun.message ?? ""}` });
    }
    // A stopped upgrade holds the versions of the step it stopped at.
    if (upgrade === undefined || running === undefined || !(isUpgradeUnderway(upgrade) || upgrade.phase === "Failed")) return { upgrade, versions: undefined };
    return { upgrade, versions: versionsAt(upgrade, running) };
  }

  /** After the apply: the record's next state and the version the control plane runs (status.version). */
  async advance(cluster: Cluster, prepared: PreparedUpgrade, components: readonly ComponentHealth[], canRestore: boolean): Promise<{ upgrade: ClusterUpgradeStatus | undefined; running: string | undefined }> {
    const { upgrade } = prepared;
    const running = cluster.status?.version;
    // A stopped upgrade changes nothing, the version the control plane runs included.
    if (upgrade?.phase === "Failed") return { upgrade, running };
    if (upgrade === undefined || running === undefined || !isUpgradeUnderway(upgrade)) return { upgrade, running: undefined };
    const seen: UpgradeObservation = {
      components,
      poolsBehind: this.#poolsBehind(cluster, upgrade.rollback === true ? upgrade.from : upgrade.to),
      snapshot: this.#snapshot(cluster, upgrade),
      restore: this.#restore(cluster, upgrade),
      canRestore,
      etcdVersion: versions.etcd,
      now: this.#now(),
      deadlineMs: durationMs(this.#policy(cluster).deadline),
    };
    const next = advanceUpgrade(upgrade, running, seen);
    if (next.action !== undefined) await this.#act(cluster, next.upgrade, next.action);
    if (next.changed) this.#report(cluster, next.upgrade);
    return { upgrade: next.upgrade, running: next.running };
  }

  #report(cluster: Cluster, upgrade: ClusterUpgradeStatus): void {
    const message = upgrade.message ?? "";
    if (upgrade.phase === "Failed") this.#o.events.record(cluster, { type: "Warning", reason: upgrade.rollback === true ? "RollbackFailed" : "UpgradeFailed", action: upgrade.rollback === true ? "Rollback" : "Upgrade", note: message });
    else if (upgrade.phase === "Completed") this.#o.events.record(cluster, { reason: "UpgradeCompleted", action: "Upgrade", note: message });
    else if (upgrade.phase === "RolledBack") this.#o.events.record(cluster, { reason: "RolledBack", action: "Rollback", note: message });
    else this.#o.events.record(cluster, { reason: upgrade.rollback === true ? "RollbackStep" : "UpgradeStep", action: upgrade.rollback === true ? "Rollback" : "Upgrade", note: `step ${upgrade.step}: ${message}` });
  }

  /** Makes the pre-upgrade EtcdBackup or the rollback's EtcdRestore (already there after a crash: kept). */
  async #act(cluster: Cluster, upgrade: ClusterUpgradeStatus, action: UpgradeAction): Promise<void> {
    const namespace = cluster.metadata.namespace ?? "";
    const clusterName = cluster.metadata.name ?? "";
    const labels = { [upgradeLabels.cluster]: clusterName, [upgradeLabels.purpose]: action === "createSnapshot" ? "pre-upgrade" : "rollback" };
    const body = action === "createSnapshot"
      ? { apiVersion, kind: "EtcdBackup", metadata: { name: snapshotName(cluster, upgrade), namespace, labels }, spec: { clusterName } }
      : { apiVersion, kind: "EtcdRestore", metadata: { name: restoreName(cluster, upgrade), namespace, labels }, spec: { clusterName, backupName: upgrade.snapshot } };
    const plural = action === "createSnapshot" ? "etcdbackups" : "etcdrestores";
    try {
      await this.#o.client.request("POST", `/apis/${apiVersion}/namespaces/${namespace}/${plural}`, { body });
    } catch (error) {
      // 409: made by an earlier pass that died before recording it.
      if (!isConflict(error)) throw error;
    }
  }

  #snapshot(cluster: Cluster, upgrade: ClusterUpgradeStatus): UpgradeObservation["snapshot"] {
    const name = upgrade.snapshot ?? snapshotName(cluster, upgrade);
    const backup = this.#o.backups(cluster).find((b) => b.metadata.name === name);
    return backup === undefined ? undefined : { name, phase: backup.status?.phase, message: backup.status?.conditions?.find((c) => c.type === "Ready")?.message };
  }

  #restore(cluster: Cluster, upgrade: ClusterUpgradeStatus): UpgradeObservation["restore"] {
    if (upgrade.rollback !== true) return undefined;
    const name = upgrade.restore ?? restoreName(cluster, upgrade);
    const restore = this.#o.restores(cluster).find((r) => r.metadata.name === name);
    return restore === undefined ? undefined : { name, phase: restore.status?.phase, message: restore.status?.conditions?.find((c) => c.type === "Ready")?.message };
  }

  /** Pools that follow the cluster (no spec.version of their own) whose machines do not all run `version` yet, as "name updated/wanted". */
  #poolsBehind(cluster: Cluster, version: string): string[] {
    return this.#o
      .nodePools(cluster.metadata.namespace ?? "", cluster.metadata.name ?? "")
      .filter((p) => p.spec.version === undefined && p.metadata.deletionTimestamp === undefined)
      .filter((p) => p.status?.version !== version || (p.status.updatedReplicas ?? 0) < p.spec.replicas || (p.status.replicas ?? 0) > p.spec.replicas)
      .map((p) => `${p.metadata.name ?? "?"} ${p.status?.version === version ? (p.status.updatedReplicas ?? 0) : 0}/${p.spec.replicas}`);
  }

  #policy(cluster: Cluster): ReturnType<typeof effectiveUpgradePolicy> {
    const project = (cluster.metadata.namespace ?? "").replace(/^project-/, "");
    return effectiveUpgradePolicy(cluster, this.#o.project(project));
  }

  #now(): string {
    return new Date(this.#o.clock.now()).toISOString();
  }

  /** The whole status with the new record: a status apply owns every field it sends, so nothing else may be left out. */
  async #writeRecord(cluster: Cluster, upgrade: ClusterUpgradeStatus): Promise<void> {
    try {
      await applyStatus(this.#o.client, { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name: cluster.metadata.name, namespace: cluster.metadata.namespace }, status: clusterOwnedStatus({ ...cluster.status, upgrade, phase: "Upgrading" as const }) });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}

/** A short digest naming one upgrade of one cluster (its uid, versions and start). */
function upgradeId(cluster: Cluster, upgrade: ClusterUpgradeStatus): string {
  return createHash("sha256").update(`${cluster.metadata.uid ?? ""}/${upgrade.from}/${upgrade.to}/${upgrade.startedTime}`).digest("hex").slice(0, 6);
}

/** <cluster>-pre-<to>-<id>: at most 30 + 5 + 8 + 7 characters. */
export function snapshotName(cluster: Cluster, upgrade: ClusterUpgradeStatus): string {
  return `${cluster.metadata.name ?? ""}-pre-${upgrade.to.replaceAll(".", "-")}-${upgradeId(cluster, upgrade)}`;
}

/** <cluster>-rollback-<id>. */
export function restoreName(cluster: Cluster, upgrade: ClusterUpgradeStatus): string {
  return `${cluster.metadata.name ?? ""}-rollback-${upgradeId(cluster, upgrade)}`;
}
