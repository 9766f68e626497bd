import { createHash } from "node:crypto";
import { apiVersion, quorumRecoveryAnnotation, type Cluster, type EtcdBackup, type EtcdRestore } from "@seedbed/api";
import { statusCodeOf, type Clock, type EventRecorder, type ObjectClient } from "@seedbed/runtime";

/** What the recovery needs. */
export interface QuorumRecoveryOptions {
  readonly client: ObjectClient;
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly backups: (cluster: Cluster) => readonly EtcdBackup[];
  readonly restores: (cluster: Cluster) => readonly EtcdRestore[];
}

/** The newest completed backup of a cluster (by completion time), if any. */
export function newestCompletedBackup(backups: readonly EtcdBackup[]): EtcdBackup | undefined {
  const completed = backups.filter((b) => b.status?.phase === "Completed" && b.status.completionTime !== undefined);
  return completed.sort((a, b) => Date.parse(b.status?.completionTime ?? "") - Date.parse(a.status?.completionTime ?? ""))[0];
}

/** The writes a restore of `backup` loses, in words: those after it was taken. */
export function dataLossWindow(backup: EtcdBackup, now: number): string {
  const taken = backup.status?.completionTime ?? "";
  const minutes = Math.max(0, Math.round((now - Date.parse(taken)) / 60_000));
  return `writes after ${taken} (the last ${minutes} minute${minutes === 1 ? "" : "s"}) are lost`;
}

/**
 * Brings a cluster whose etcd lost its quorum for good back from its newest
 * completed backup: it creates one EtcdRestore (marked with the
 * quorum-recovery annotation, so it does not wait for the cluster to serve,
 * which it never will again on its own) and says in EtcdReady's message
 * what is restored and which writes are lost.
 */
export class QuorumRecovery {
  readonly #o: QuorumRecoveryOptions;

  constructor(options: QuorumRecoveryOptions) {
    this.#o = options;
  }

  /** Starts (once) the recovery of a cluster whose quorum is lost; returns EtcdReady's message. */
  async recover(cluster: Cluster, lost: string): Promise<string> {
    const running = this.#o.restores(cluster).find((r) => r.metadata.annotations?.[quorumRecoveryAnnotation] !== undefined && r.status?.phase !== "Completed" && r.status?.phase !== "Failed");
    const backup = newestCompletedBackup(this.#o.backups(cluster));
    if (running !== undefined) return `${lost}; restoring backup ${running.spec.backupName ?? "?"} (EtcdRestore ${running.metadata.name ?? "?"})`;
    if (backup === undefined) {
      const message = `${lost}; no completed backup of the cluster exists to restore it from: create the cluster anew, or restore a backup of another cluster into it (an EtcdRestore naming it)`;
      this.#o.events.record(cluster, { type: "Warning", reason: "QuorumLost", action: "Recover", note: message });
      return message;
    }
    const name = recoveryName(cluster, backup, this.#o.restores(cluster));
    const window = dataLossWindow(backup, this.#o.clock.now());
    await this.#o.client.create({
      apiVersion,
      kind: "EtcdRestore",
      metadata: { name, namespace: cluster.metadata.namespace, annotations: { [quorumRecoveryAnnotation]: lost.slice(0, 1024) } },
      spec: { clusterName: cluster.metadata.name ?? "", backupName: backup.metadata.name },
    }).catch((error: unknown) => {
      // Made by an earlier pass whose cache has not shown it yet.
      if (statusCodeOf(error) !== 409) throw error;
    });
    const message = `${lost}; restoring the newest completed backup ${backup.metadata.name ?? "?"} (EtcdRestore ${name}): ${window}`;
    this.#o.events.record(cluster, { type: "Warning", reason: "QuorumLost", action: "Recover", note: message });
    return message;
  }
}

/** One name per backup restored after a loss (a later loss restoring the same backup again gets a suffix). */
function recoveryName(cluster: Cluster, backup: EtcdBackup, restores: readonly EtcdRestore[]): string {
  const base = `${(cluster.metadata.name ?? "cluster").slice(0, 40)}-recovery-${createHash("sha256").update(backup.metadata.uid ?? backup.metadata.name ?? "").digest("hex").slice(0, 8)}`;
  const taken = new Set(restores.map((r) => r.metadata.name));
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    const existing = restores.find((r) => r.metadata.name === name);
    if (!taken.has(name) || (existing !== undefined && existing.status?.phase !== "Completed" && existing.status?.phase !== "Failed")) return name;
  }
}
