import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The containerd to load images into. */
export interface ContainerdTarget {
  /** containerd's socket (its `--address`), e.g. /run/containerd/containerd.sock. */
  readonly address: string;
  /** containerd namespace; `k8s.io` is the one the CRI (and so the kubelet) uses. */
  readonly namespace?: string;
  /** Snapshotter to unpack into; must be the one the CRI plugin uses (containerd's default is overlayfs). */
  readonly snapshotter?: string;
  /** The ctr program (default `ctr` on the PATH). */
  readonly ctr?: string;
}

/** The namespace the CRI plugin keeps its images in. */
export const criNamespace = "k8s.io";

/** The ctr command line that imports an OCI layout tar, unpacked, under the names in its index. */
export function importCommand(tar: string, target: ContainerdTarget): string[] {
  return [
    "--address",
    target.address,
    "--namespace",
    target.namespace ?? criNamespace,
    "images",
    "import",
    // The layout names its images in index.json (io.containerd.image.name); keep platform checks strict.
    ...(target.snapshotter !== undefined ? ["--snapshotter", target.snapshotter] : []),
    tar,
  ];
}

/**
 * Imports an OCI layout tar into a containerd with `ctr images import`
 * (unpacked, so a container starts without a pull). Throws with ctr's own
 * message when it fails.
 */
export async function importImage(tar: string, target: ContainerdTarget): Promise<void> {
  const ctr = target.ctr ?? "ctr";
  try {
    await run(ctr, importCommand(tar, target), { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failed = error as { code?: unknown; stderr?: string; message: string };
    if (failed.code === "ENOENT") throw new Error(`${ctr} is not installed; install containerd (Debian: apt-get install -y containerd) or pass the path of ctr`);
    throw new Error(`importing ${tar} into containerd at ${target.address} failed: ${(failed.stderr ?? failed.message).trim()}`);
  }
}
