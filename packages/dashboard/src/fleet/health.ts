import type { Cluster, Condition } from "../api/types.ts";
import type { Tone } from "../ui/Badge.tsx";

/** A cluster's traffic light. */
export type Health = "Healthy" | "Degraded" | "Unhealthy" | "Unknown";

/** Every health, best first (the Health filter's options). */
export const healths: readonly Health[] = ["Healthy", "Degraded", "Unhealthy", "Unknown"];

/**
 * Conditions that do not say whether the cluster is healthy: SpecSupported
 * (fields accepted but not carried out; the cluster runs) and Upgrade
 * (False while an upgrade is merely under way; a failed one counts below).
 */
const notHealth = new Set(["SpecSupported", "Upgrade"]);

/** Phases in which Ready=False is expected for a while: work under way, not a fault. */
const transitional = new Set(["Pending", "Provisioning", "Upgrading", "Restoring", "Deleting"]);

/**
 * Derives the traffic light from a Cluster's status (packages/api
 * cluster-conditions.ts): Unhealthy when the phase is Failed or Ready is
 * False in a settled phase; Degraded when Ready is True but another
 * condition is False (backups failing, add-ons not ready, an etcd member
 * down, an upgrade that failed), when the phase is Degraded, or while the
 * cluster is still coming up or changing (Ready False in a transitional
 * phase); Healthy when Ready and every other health condition are True;
 * Unknown when there are no conditions or no Ready yet.
 */
export function clusterHealth(cluster: Pick<Cluster, "status">): Health {
  const phase = cluster.status?.phase;
  const conditions = cluster.status?.conditions ?? [];
  if (phase === "Failed") return "Unhealthy";
  const ready = conditions.find((c) => c.type === "Ready");
  if (ready === undefined || ready.status === "Unknown") return "Unknown";
  if (ready.status === "False") return phase !== undefined && transitional.has(phase) ? "Degraded" : "Unhealthy";
  if (phase === "Degraded" || conditions.some(isFaulty)) return "Degraded";
  return "Healthy";
}

/** A condition that says something is wrong. */
function isFaulty(condition: Condition): boolean {
  if (condition.type === "Upgrade") return condition.status === "False" && condition.reason === "UpgradeFailed";
  return !notHealth.has(condition.type) && condition.status === "False";
}

/** The badge tone of a health. */
export function healthTone(health: Health): Tone {
  switch (health) {
    case "Healthy":
      return "ok";
    case "Degraded":
      return "warn";
    case "Unhealthy":
      return "bad";
    case "Unknown":
      return "neutral";
  }
}

/** The conditions behind a Degraded or Unhealthy light, for a tooltip ("BackupsHealthy: BackupFailing"). */
export function healthReasons(cluster: Pick<Cluster, "status">): string[] {
  return (cluster.status?.conditions ?? [])
    .filter((c) => c.type === "Ready" ? c.status === "False" : isFaulty(c))
    .map((c) => `${c.type}: ${c.reason ?? c.status}`);
}
