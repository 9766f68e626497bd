import { resolve } from "node:path";
import type { KubeConfig, V1PersistentVolume, V1PersistentVolumeClaim } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { apply, describeError, Manager } from "@seedbed/runtime";
import { ensureBaseDirectory } from "./directories.ts";
import { claimKindRef, volumeKindRef } from "./kinds.ts";
import { defaultStorageClassName } from "./names.ts";
import { isOurVolume } from "./plan.ts";
import { LocalVolumeReconciler } from "./reconciler.ts";
import { renderStorageClass } from "./storage-class.ts";

/** Where the provisioner works. */
export interface LocalVolumeProvisionerOptions {
  /** The cluster whose claims it serves (its nodes run on this machine). */
  readonly kubeConfig: KubeConfig;
  /** Holds one directory per volume, `<baseDir>/<pv name>`; made if missing. */
  readonly baseDir: string;
  /** Default "seedbed-local". */
  readonly storageClassName?: string;
  /** Mark the class as the cluster's default (default true). */
  readonly makeDefault?: boolean;
  readonly logger?: Logger;
}

/** A running provisioner. */
export interface LocalVolumeProvisioner {
  readonly storageClassName: string;
  /** Stops watching; volumes and their directories stay. */
  stop(): Promise<void>;
}

/** The field manager of the StorageClass. */
const fieldManager = "seedbed-local-volume";

/**
 * Dynamic provisioning of `local` PersistentVolumes for a cluster whose
 * nodes all run on this machine (the one-machine real seed): ensures the
 * StorageClass, then serves claims of it as external-provisioner would —
 * a directory per volume under `baseDir` with node affinity to the node
 * the scheduler chose — and removes directory and PV when a claim is
 * deleted. Resolves once its caches synced and it works.
 */
export async function startLocalVolumeProvisioner(options: LocalVolumeProvisionerOptions): Promise<LocalVolumeProvisioner> {
  const className = options.storageClassName ?? defaultStorageClassName;
  const baseDir = resolve(options.baseDir);
  await ensureBaseDirectory(baseDir);
  const manager = new Manager({ kubeConfig: options.kubeConfig, logger: options.logger });
  const events = manager.eventRecorder("local-volume");
  try {
    await apply(manager.client, renderStorageClass(className, options.makeDefault ?? true), { fieldManager });
  } catch (error) {
    await manager.stop();
    throw new Error(
      `applying StorageClass ${className} failed (${describeError(error)}): a class of that name with another provisioner, reclaim policy or binding mode cannot be changed; delete it or set storageClassName to another name`,
      { cause: error },
    );
  }
  const reconciler = new LocalVolumeReconciler({
    client: manager.client,
    claims: manager.informers.informerFor<V1PersistentVolumeClaim>(claimKindRef),
    volumes: manager.informers.informerFor<V1PersistentVolume>(volumeKindRef),
    events,
    className,
    baseDir,
  });
  manager.addController({
    name: "local-volume",
    kind: claimKindRef,
    reconciler,
    // A PV is enqueued under its own (namespace-less) key; see LocalVolumeReconciler.
    watches: [{ kind: volumeKindRef, mapFn: (pv) => (isOurVolume(pv) && pv.metadata?.name ? [{ name: pv.metadata.name }] : []) }],
  });
  await manager.start();
  return {
    storageClassName: className,
    stop: async () => {
      await manager.stop();
      await events.flush();
    },
  };
}
