import { buildImage, componentImage, componentReference, imagesCacheDir, type BuiltImage, type ComponentImage } from "@seedbed/images";

/**
 * Where the images of the nodes on this machine are named: they are built
 * here and imported into each node's containerd, never pulled.
 */
export const localRegistry = "seedbed.local";

/** The name of the sandbox image every node imports (Seedbed's pause program, tools/k8s/pause). */
export function pauseImageName(): string {
  return componentReference("pause", { registry: localRegistry });
}

/** An image of a pinned component (etcd, pause, kube-apiserver, …) named under the local registry, built by @seedbed/images into its cache. */
export function localImage(image: ComponentImage): Promise<BuiltImage> {
  return buildImage(componentImage(image, { registry: localRegistry }), { cacheDir: imagesCacheDir() });
}
