import type { Platform, RunConfig } from "../oci/documents.ts";
import type { LayerEntry } from "../layer/entries.ts";
import type { Compression } from "../layer/write.ts";

/** One layer of an image: its files and how its blob is compressed (gzip unless said). */
export interface LayerSpec {
  readonly entries: readonly LayerEntry[];
  readonly compression?: Compression;
}

/**
 * An image to build: the names it is imported under (full references), its
 * layers bottom first, and what it runs. Layers shared between images
 * (the same entries) become the same blob, so containerd stores and
 * unpacks them once.
 */
export interface ImageSpec {
  readonly names: readonly string[];
  readonly layers: readonly LayerSpec[];
  readonly config: RunConfig;
  /** The platform written into the config and index (this machine's unless said). */
  readonly platform?: Platform;
}

/** A built image: the OCI layout tar and the digests that identify it. */
export interface BuiltImage {
  readonly names: readonly string[];
  /** Path of the OCI image layout tar (`ctr images import` takes it). */
  readonly path: string;
  /** Digest of the manifest: the image's identity, as `ctr images ls` shows it. */
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly layerDigests: readonly string[];
  /** True when the tar was already in the cache. */
  readonly cached: boolean;
}
