import { offeredKubernetesVersions } from "@seedbed/binaries";
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

/**
 * An image of a pinned component (etcd, pause, kube-apiserver, …) named
 * under the local registry, built by @seedbed/images into its cache. The
 * Kubernetes components are of `kubernetesVersion` (default: the default
 * version); the others have one pinned version whatever it says.
 */
export function localImage(image: ComponentImage, kubernetesVersion?: string): Promise<BuiltImage> {
  return buildImage(componentImage(image, { registry: localRegistry, kubernetesVersion }), { cacheDir: imagesCacheDir() });
}

/** The components built from the Kubernetes multi-call binary: one image per offered version. */
const kubernetesComponents: readonly ComponentImage[] = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];

/**
 * The images of `components` a seed imports so that it can host clusters
 * of every offered version (versions.kubernetes) and move them from one to
 * the next: kube-apiserver, kube-controller-manager and kube-scheduler once
 * per version, the others (one pinned version) once.
 */
export function localImagesForAllVersions(components: readonly ComponentImage[]): Promise<BuiltImage[]> {
  return Promise.all(components.flatMap((image) => (kubernetesComponents.includes(image) ? offeredKubernetesVersions().map((version) => localImage(image, version)) : [localImage(image)])));
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
