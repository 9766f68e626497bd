import { chmod, mkdir, rm } from "node:fs/promises";

/**
 * The mode a volume's directory is made with: root's alone. The pods get in
 * through fsGroup: on the first mount the kubelet's `local` volume plugin
 * gives the directory (recursively) to the pod's fsGroup and adds group
 * rwx and setgid (pkg/volume/local SetUpAt → SetVolumeOwnership, mode |=
 * 02770), so a pod running as 65532 with fsGroup 65532 can write, while no
 * other user on the machine can. A pod without fsGroup that runs as
 * non-root cannot write: give it one (every Seedbed component sets it).
 */
export const volumeDirectoryMode = 0o700;

/** Makes `baseDir` (and its parents) if missing; only root enters it. */
export async function ensureBaseDirectory(baseDir: string): Promise<void> {
  await mkdir(baseDir, { recursive: true, mode: 0o700 });
}

/**
 * Makes a volume's directory if missing; true if it made it. An existing
 * one is left as it is (the kubelet has changed its group and mode).
 */
export async function ensureVolumeDirectory(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { mode: volumeDirectoryMode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  // mkdir's mode passes through the umask: set it exactly.
  await chmod(dir, volumeDirectoryMode);
  return true;
}

/** Removes a volume's directory and everything in it; nothing if it is gone. */
export async function removeVolumeDirectory(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
