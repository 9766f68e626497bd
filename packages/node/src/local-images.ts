import { buildImage, componentImage, componentReference, imagesCacheDir, toolboxImage as toolboxSpec, toolboxReference, type BuiltImage, type ComponentImage } from "@seedbed/images";

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

/**
 * The name pods use for the toolbox every node imports (busybox: sh, sleep,
 * wget, nslookup, nc, ip, …), with `imagePullPolicy: IfNotPresent` or
 * `Never`. Not under {@link localRegistry}: the one name is the same on
 * every machine that imports it.
 */
export const toolboxImageName: string = toolboxReference;

/** The toolbox image, built by @seedbed/images into its cache from Debian's busybox-static; throws naming the fix when /bin/busybox is missing. */
export function toolboxImage(): Promise<BuiltImage> {
  return buildImage(toolboxSpec(), { cacheDir: imagesCacheDir() });
}
