import { createHash } from "node:crypto";
import { containerdNameAnnotation, mediaTypes, refNameAnnotation } from "./media-types.ts";
import { tagOf } from "./reference.ts";

/** A content descriptor (image-spec descriptor.md): what a blob is, its digest and size. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The platform an image runs on, in GOOS/GOARCH terms. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
}

/** What an image runs: the `config` object of the image config (image-spec config.md). */
export interface RunConfig {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  /** `NAME=value` strings. */
  readonly env?: readonly string[];
  /** `uid:gid` (numeric, so the kubelet can check runAsNonRoot without a passwd lookup). */
  readonly user?: string;
  readonly workingDir?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A layer as the config and manifest see it: the digest of the blob and of its uncompressed tar. */
export interface LayerBlob {
  readonly mediaType: typeof mediaTypes.layer | typeof mediaTypes.layerGzip;
  readonly digest: string;
  readonly diffId: string;
  readonly size: number;
}

/** A serialized document with its descriptor, ready to be stored as a blob. */
export interface Blob {
  readonly bytes: Buffer;
  readonly descriptor: Descriptor;
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/**
 * JSON with object keys sorted at every level, so that a document's bytes
 * (and so its digest) depend on its content only, not on the order in
 * which code happened to build it.
 */
export function canonicalJSON(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(sortKeys(value)), "utf8");
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** A document as a blob of the given media type. */
export function blobOf(mediaType: string, document: unknown): Blob {
  const bytes = canonicalJSON(document);
  return { bytes, descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length } };
}

// A fixed creation time: the same inputs must give the same config digest.
const epoch = "1970-01-01T00:00:00Z";

/** The image config blob: platform, run settings and the diff IDs of the layers in order. */
export function configBlob(run: RunConfig, layers: readonly LayerBlob[], platform: Platform): Blob {
  return blobOf(mediaTypes.config, {
    created: epoch,
    architecture: platform.architecture,
    os: platform.os,
    config: {
      Entrypoint: run.entrypoint,
      Cmd: run.cmd,
      Env: run.env,
      User: run.user,
      WorkingDir: run.workingDir,
      Labels: run.labels,
    },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: epoch, created_by: "seedbed images" })),
  });
}

/** The image manifest blob: the config and the layers by digest. */
export function manifestBlob(config: Descriptor, layers: readonly LayerBlob[]): Blob {
  return blobOf(mediaTypes.manifest, {
    schemaVersion: 2,
    mediaType: mediaTypes.manifest,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  });
}

/**
 * The `index.json` of the layout: one entry per name, all pointing at the
 * same manifest. containerd names the imported image from
 * `io.containerd.image.name`; `org.opencontainers.image.ref.name` carries
 * the tag, as `docker save` writes it.
 */
export function indexDocument(manifest: Descriptor, names: readonly string[], platform: Platform): Buffer {
  return canonicalJSON({
    schemaVersion: 2,
    mediaType: mediaTypes.index,
    manifests: names.map((name) => ({
      mediaType: manifest.mediaType,
      digest: manifest.digest,
      size: manifest.size,
      platform: { architecture: platform.architecture, os: platform.os },
      annotations: { [containerdNameAnnotation]: name, [refNameAnnotation]: tagOf(name) },
    })),
  });
}

/** The `oci-layout` file that marks a directory (or tar) as an OCI image layout. */
export const ociLayoutFile: Buffer = canonicalJSON({ imageLayoutVersion: "1.0.0" });

/** The platform of this machine in GOARCH terms (`x64` → `amd64`). */
export function hostPlatform(arch: string = process.arch): Platform {
  const architecture: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };
  return { os: "linux", architecture: architecture[arch] ?? arch };
}
