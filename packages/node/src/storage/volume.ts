import { dirname, join, resolve } from "node:path";
import type { V1PersistentVolume, V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { directoryFinalizer, hostnameLabel, provisionedByAnnotation, provisionerName, reclaimPolicy } from "./names.ts";

/** What a PV is built from, besides its claim. */
export interface VolumeInputs {
  /** The directory holding one directory per volume. */
  readonly baseDir: string;
  /** The `kubernetes.io/hostname` label of the selected node. */
  readonly nodeHostname: string;
}

/**
 * The PV name of a claim: "pvc-<claim uid>", as external-provisioner names
 * them. Derived, never random, so a provisioner killed after creating the
 * PV finds the same name again when it retries instead of making a second.
 */
export function volumeNameFor(claim: V1PersistentVolumeClaim): string {
  const uid = claim.metadata?.uid;
  if (!uid) throw new Error(`claim ${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""} has no uid`);
  return `pvc-${uid}`;
}

/**
 * The directory of the volume named `volumeName`: `<baseDir>/<volumeName>`.
 * Refuses a name that would leave baseDir, since the directory is removed
 * recursively later (object names cannot hold "/", but this path is where
 * a mistake would cost data).
 */
export function volumeDirectory(baseDir: string, volumeName: string): string {
  const base = resolve(baseDir);
  const dir = join(base, volumeName);
  if (volumeName === "" || volumeName.startsWith(".") || dirname(dir) !== base) throw new Error(`volume name ${JSON.stringify(volumeName)} does not name a directory inside ${base}`);
  return dir;
}

/**
 * The PV for `claim` on the selected node: a `local` volume of its own
 * directory, the claim's size and access modes, node affinity to the node
 * (the scheduler then keeps every pod of the claim there), a claimRef with
 * the claim's uid so the PV controller binds exactly this claim, our
 * provisioned-by annotation and our directory finalizer.
 */
export function buildVolume(claim: V1PersistentVolumeClaim, className: string, inputs: VolumeInputs): V1PersistentVolume {
  const name = volumeNameFor(claim);
  const storage = claim.spec?.resources?.requests?.storage;
  if (storage === undefined) throw new Error(`claim ${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""} requests no storage: set spec.resources.requests.storage`);
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, annotations: { [provisionedByAnnotation]: provisionerName }, finalizers: [directoryFinalizer] },
    spec: {
      capacity: { storage },
      accessModes: [...(claim.spec?.accessModes ?? ["ReadWriteOnce"])],
      persistentVolumeReclaimPolicy: reclaimPolicy,
      storageClassName: className,
      volumeMode: "Filesystem",
      local: { path: volumeDirectory(inputs.baseDir, name) },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: hostnameLabel, operator: "In", values: [inputs.nodeHostname] }] }] } },
      claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: claim.metadata?.namespace, name: claim.metadata?.name, uid: claim.metadata?.uid },
    },
  };
}
