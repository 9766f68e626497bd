/** Media types of the OCI image spec (image-spec v1.1), the only ones this package writes. */
export const mediaTypes = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

/** The annotation containerd's importer names an image by (`ctr images import`). */
export const containerdNameAnnotation = "io.containerd.image.name";

/** The OCI annotation for an image's reference within a layout: the tag, as `docker save` writes it. */
export const refNameAnnotation = "org.opencontainers.image.ref.name";
