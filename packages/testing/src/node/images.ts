import { buildImage, componentImage, componentReference, imagesCacheDir, type BuiltImage, type ComponentImage } from "@seedbed/images";

/** Where the harness's images are named: nothing is ever pulled from there. */
export const harnessRegistry = "seedbed.local";

/** The name of the sandbox image every node imports (Seedbed's pause program, tools/k8s/pause). */
export function pauseImageName(): string {
  return componentReference("pause", { registry: harnessRegistry });
}

/** An image of a pinned component (etcd, pause, kube-apiserver, …) named under the harness's registry, built by @seedbed/images into its cache. */
export function harnessImage(image: ComponentImage): Promise<BuiltImage> {
  return buildImage(componentImage(image, { registry: harnessRegistry }), { cacheDir: imagesCacheDir() });
}
