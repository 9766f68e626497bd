import type { V1PersistentVolume, V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { betaStorageProvisionerAnnotation, provisionedByAnnotation, provisionerName, selectedNodeAnnotation, storageProvisionerAnnotation } from "./names.ts";

/** What to do about a claim. */
export type ClaimPlan =
  /** Not ours, gone, or already has its volume. */
  | { readonly action: "none" }
  /** Ours, but the scheduler or the PV controller has not handed it over yet; their annotation re-enqueues it. */
  | { readonly action: "wait"; readonly reason: string }
  /** Asks for something a local directory cannot be: told once in an Event, not retried. */
  | { readonly action: "reject"; readonly message: string }
  /** Make its PV on this node. */
  | { readonly action: "provision"; readonly node: string };

/** What to do about a PV. */
export type VolumePlan =
  | { readonly action: "none" }
  /** A live volume of ours: its directory must exist (it is made right after the PV, see reconciler.ts). */
  | { readonly action: "ensureDirectory" }
  /** Released under reclaim policy Delete: remove the directory, then delete the PV. */
  | { readonly action: "reclaim" }
  /** Deleted by someone: remove the directory if the policy says so, then our finalizer. */
  | { readonly action: "finalize"; readonly removeDirectory: boolean };

/**
 * Why `claim` cannot be served by a local directory, one clause each
 * (no semicolons inside: they are joined with "; ") naming the field and
 * what to use instead; empty when it can.
 */
export function unsupportedRequests(claim: V1PersistentVolumeClaim, className: string): string[] {
  const spec = claim.spec;
  const problems: string[] = [];
  for (const mode of spec?.accessModes ?? []) {
    if (mode === "ReadWriteMany" || mode === "ReadOnlyMany") {
      problems.push(
        `spec.accessModes ${mode} is not supported by ${className}: its volumes are directories on one node, so use ReadWriteOnce or ReadWriteOncePod, or a storage class of shared storage (NFS, CephFS) for a volume that pods on several nodes mount`,
      );
    }
  }
  if (spec?.volumeMode === "Block") {
    problems.push(`spec.volumeMode Block is not supported by ${className}: it provides directories, so use volumeMode Filesystem, or a CSI driver for raw block devices (e.g. TopoLVM)`);
  }
  if (spec?.selector !== undefined) problems.push(`spec.selector is not supported by ${className}, which makes new volumes, so remove the selector, or bind to an existing PV by spec.volumeName`);
  if (spec?.dataSource !== undefined || spec?.dataSourceRef !== undefined) {
    problems.push(`spec.dataSource is not supported by ${className}: it cannot clone volumes or restore snapshots, so create an empty claim and copy the data in`);
  }
  return problems;
}

/**
 * The plan for `claim` (undefined: deleted). The same checks as
 * external-provisioner's shouldProvision: no volume yet, handed to us by
 * the PV controller's storage-provisioner annotation (GA name, or the beta
 * one), and — WaitForFirstConsumer — a node selected by the scheduler.
 * Unsupported requests are reported before any of that, so a user hears
 * about them while the pod is still pending rather than never.
 */
export function planClaim(claim: V1PersistentVolumeClaim | undefined, className: string): ClaimPlan {
  if (!claim || claim.metadata?.deletionTimestamp !== undefined) return { action: "none" };
  if (claim.spec?.storageClassName !== className || claim.spec.volumeName) return { action: "none" };
  const problems = unsupportedRequests(claim, className);
  if (problems.length > 0) return { action: "reject", message: problems.join("; ") };
  const annotations = claim.metadata?.annotations ?? {};
  const handedTo = annotations[storageProvisionerAnnotation] ?? annotations[betaStorageProvisionerAnnotation];
  if (handedTo !== provisionerName) return { action: "wait", reason: "the PV controller has not handed the claim to this provisioner yet" };
  const node = annotations[selectedNodeAnnotation];
  if (!node) return { action: "wait", reason: "no node selected yet (WaitForFirstConsumer: a pod using the claim must be scheduled)" };
  return { action: "provision", node };
}

/** True if we made `volume` (its provisioned-by annotation names us). */
export function isOurVolume(volume: V1PersistentVolume): boolean {
  return volume.metadata?.annotations?.[provisionedByAnnotation] === provisionerName;
}

/**
 * The plan for `volume` (undefined: gone). A PV still Bound is never
 * touched, even when deleted by hand: the pv-protection finalizer holds it
 * while a claim uses it, and its directory is in use. Retain (set by hand
 * on a PV) keeps the directory: an administrator decides about that data.
 */
export function planVolume(volume: V1PersistentVolume | undefined): VolumePlan {
  if (!volume || !isOurVolume(volume)) return { action: "none" };
  const phase = volume.status?.phase;
  const deletes = volume.spec?.persistentVolumeReclaimPolicy === "Delete";
  if (volume.metadata?.deletionTimestamp !== undefined) {
    if (phase === "Bound") return { action: "none" };
    return { action: "finalize", removeDirectory: deletes };
  }
  if (phase === "Released") return deletes ? { action: "reclaim" } : { action: "none" };
  if (phase === "Failed") return { action: "none" };
  return { action: "ensureDirectory" };
}
