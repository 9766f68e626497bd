import { buildImage } from "../layout/build.ts";
import type { BuiltImage } from "../layout/spec.ts";
import { catalogImage, type CatalogOptions, type ImageId } from "../catalog/catalog.ts";
import { importImage, type ContainerdTarget } from "./ctr.ts";
import { homedir } from "node:os";
import { join } from "node:path";

/** The image cache: $SEEDBED_IMAGES_DIR, or ~/.cache/seedbed/images. */
export function imagesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SEEDBED_IMAGES_DIR ?? join(homedir(), ".cache", "seedbed", "images");
}

/** Which images, named how, cached where. */
export interface BuildImagesOptions extends CatalogOptions {
  readonly ids: readonly ImageId[];
  /** Default {@link imagesCacheDir}. */
  readonly cacheDir?: string;
  /** Told about each image as it is ready. */
  readonly onImage?: (id: ImageId, image: BuiltImage) => void;
}

/** Builds images of the catalog into the cache (reusing unchanged layers and tars). */
export async function buildImages(options: BuildImagesOptions): Promise<Map<ImageId, BuiltImage>> {
  const cacheDir = options.cacheDir ?? imagesCacheDir();
  const built = new Map<ImageId, BuiltImage>();
  // One at a time: each image streams large files, and the machine's cores are shared.
  for (const id of options.ids) {
    const image = await buildImage(await catalogImage(id, options), { cacheDir });
    built.set(id, image);
    options.onImage?.(id, image);
  }
  return built;
}

/**
 * Builds images of the catalog and imports them into a containerd, so pods
 * naming them run with imagePullPolicy IfNotPresent or Never and no
 * registry.
 */
export async function loadImages(options: BuildImagesOptions & { readonly containerd: ContainerdTarget }): Promise<Map<ImageId, BuiltImage>> {
  const built = await buildImages({ ...options, onImage: undefined });
  for (const [id, image] of built) {
    await importImage(image.path, options.containerd);
    options.onImage?.(id, image);
  }
  return built;
}
