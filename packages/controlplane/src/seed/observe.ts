import type { ComponentHealth } from "../driver.ts";
import { versionAnnotation } from "./workloads.ts";

/** The parts of workload status the seed driver reads. */
export interface WorkloadStatus {
  readonly metadata?: { readonly generation?: number; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: { readonly replicas?: number };
  readonly status?: { readonly readyReplicas?: number; readonly updatedReplicas?: number; readonly replicas?: number; readonly observedGeneration?: number };
}

/** The parts of a Pod the seed driver reads. */
export interface PodStatus {
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }[];
    readonly containerStatuses?: readonly { readonly restartCount?: number; readonly state?: { readonly waiting?: { readonly reason?: string; readonly message?: string } } }[];
  };
}

/** Why a pod cannot start or cannot be placed, if it cannot. */
function whyStuck(pod: PodStatus): string | undefined {
  const waiting = (pod.status?.containerStatuses ?? []).map((c) => c.state?.waiting).find((w) => w?.reason !== undefined && stuckReasons.has(w.reason));
  if (waiting) return `${waiting.reason ?? ""}${waiting.message ? ` (${waiting.message})` : ""}`;
  const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  if (pod.status?.phase !== "Pending" || scheduled?.status !== "False") return undefined;
  return `${scheduled.reason ?? "Unschedulable"}${scheduled.message ? ` (${scheduled.message})` : ""}`;
}

/** Reasons a container waits that a user must act on (or at least know about). */
const stuckReasons = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "CreateContainerError", "InvalidImageName"]);

/**
 * A component's health from its workload and pods: ready when every
 * replica wanted is ready and updated; otherwise the most telling reason
 * (a pod that cannot start, cannot be scheduled, or is still starting).
 */
export function componentHealth(name: string, workload: WorkloadStatus | undefined, pods: readonly PodStatus[]): ComponentHealth {
  const restarts = pods.reduce((sum, p) => sum + (p.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0), 0);
  if (!workload) return { name, running: false, ready: false, restarts, message: `${name} has not been created yet` };
  const rollout = rolloutOf(workload);
  const serving = rollout.ready > 0;
  const readyReplicas = rollout.ready;
  // Done: every pod runs the template the version annotation was written with.
  const version = workload.metadata?.annotations?.[versionAnnotation];
  if (rollout.done) return { name, running: true, ready: true, serving, readyReplicas, restarts, ...(version === undefined ? {} : { version }) };
  const stuck = pods.map(whyStuck).find((why) => why !== undefined);
  if (stuck !== undefined) return { name, running: false, ready: false, serving, readyReplicas, restarts, message: `${name}: ${stuck}` };
  return { name, running: pods.length > 0, ready: false, serving, readyReplicas, restarts, message: `${name}: ${rollout.progress}` };
}

/**
 * Where a workload's rollout stands, as `kubectl rollout status` reads it:
 * done when the controller has seen the last change, every wanted replica
 * is ready and updated, and no pod of an old version is left (a surge pod
 * counts as updated the moment it exists, even one that can never start).
 */
function rolloutOf(workload: WorkloadStatus): { done: boolean; ready: number; progress: string } {
  const wanted = workload.spec?.replicas ?? 1;
  const ready = workload.status?.readyReplicas ?? 0;
  const updated = workload.status?.updatedReplicas ?? 0;
  // Counts from before the last change was seen say nothing about it: a new version is not "updated" yet.
  const generation = workload.metadata?.generation;
  const observed = workload.status?.observedGeneration;
  const current = generation === undefined || observed === undefined || observed >= generation;
  const oldPodsLeft = (workload.status?.replicas ?? 0) > updated;
  const done = current && ready >= wanted && updated >= wanted && !oldPodsLeft;
  const progress = !current || oldPodsLeft ? `rolling out a change (${ready} of ${wanted} replicas ready)` : `${ready} of ${wanted} replicas ready${updated < wanted ? `, ${updated} updated` : ""}`;
  return { done, ready, progress };
}
