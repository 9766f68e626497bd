import type { ImageSpec } from "../layout/spec.ts";
import { componentImage, componentImages, componentReference, type ComponentImage, type ComponentOptions } from "./components.ts";
import { chartImageReference, seedbedImage, type SeedbedImageOptions } from "./seedbed.ts";
import { toolboxImage, toolboxReference, type ToolboxOptions } from "./toolbox.ts";

/** Every image the project builds: the pinned components, the pods' toolbox and Seedbed itself. */
export type ImageId = ComponentImage | "toolbox" | "seedbed";

/** Every image id, in build order. */
export const imageIds: readonly ImageId[] = [...componentImages, "toolbox", "seedbed"];

/** Options for the images of the catalog. */
export interface CatalogOptions extends ComponentOptions {
  readonly seedbed?: SeedbedImageOptions;
  readonly toolbox?: ToolboxOptions;
}

/** Checks image ids given by a user; throws listing the known ones. */
export function parseImageIds(ids: readonly string[]): ImageId[] {
  const unknown = ids.filter((id) => !(imageIds as readonly string[]).includes(id));
  if (unknown.length > 0) throw new Error(`unknown image ${unknown.map((u) => `"${u}"`).join(", ")}; choose from ${imageIds.join(", ")}`);
  return ids.length === 0 ? [...imageIds] : (ids as ImageId[]);
}

/** The spec of one image of the catalog. */
export async function catalogImage(id: ImageId, options: CatalogOptions = {}): Promise<ImageSpec> {
  if (id === "seedbed") return seedbedImage(options.seedbed);
  return id === "toolbox" ? toolboxImage(options.toolbox) : componentImage(id, options);
}

/** The full name of one image of the catalog, without touching its files. The toolbox has one name whatever the registry. */
export async function catalogReference(id: ImageId, options: CatalogOptions = {}): Promise<string> {
  if (id === "toolbox") return toolboxReference;
  if (id !== "seedbed") return componentReference(id, options);
  return options.seedbed?.name ?? chartImageReference(options.seedbed?.repository);
}
