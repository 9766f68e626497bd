import { binaryPath, binaryVersion, versions } from "@seedbed/binaries";
import type { LayerSpec, ImageSpec } from "../layout/spec.ts";
import { baseLayer, imagePath, nonroot } from "./base.ts";

/** The images of the pinned binaries, by the name the seed driver's manifests use. */
export type ComponentImage = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok" | "pause" | "coredns";

/** Every component image, in build order. */
export const componentImages: readonly ComponentImage[] = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "pause", "coredns"];

/** Where the images are named and which binaries go in. */
export interface ComponentOptions {
  /**
   * Registry and path the names start with (default `docker.io/seedbed`).
   * The names follow the official ones under it — `<registry>/etcd:<etcd>-0`,
   * `<registry>/kube-apiserver:v<k8s>`, `<registry>/kwok/kwok:v<kwok>` —
   * so the seed driver, given the same registry, asks for exactly these.
   */
  readonly registry?: string;
  readonly kubernetesVersion?: string;
  /** Environment for locating the binary cache (SEEDBED_BIN_DIR). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The pause program (default: the pinned `pause` from the binary cache,
   * `tools/k8s/build.sh pause`). Any static program that waits for SIGTERM
   * and SIGINT and then exits does.
   */
  readonly pauseBinary?: string;
}

/** The default registry of locally built images: a name no registry serves, so a pull never masks a missing import. */
export const defaultRegistry = "docker.io/seedbed";

/** The full reference of a component image: what to give the seed driver, the chart, or a kubelet's sandbox image. */
export function componentReference(image: ComponentImage, options: Pick<ComponentOptions, "registry" | "kubernetesVersion"> = {}): string {
  const registry = (options.registry ?? defaultRegistry).replace(/\/+$/, "");
  const kubernetes = binaryVersion("kube-apiserver", options.kubernetesVersion);
  switch (image) {
    case "etcd":
      return `${registry}/etcd:${versions.etcd}-0`;
    case "kwok":
      return `${registry}/kwok/kwok:v${versions.kwok}`;
    case "pause":
      return `${registry}/pause:${versions.pause}`;
    case "coredns":
      return `${registry}/coredns/coredns:v${versions.coredns}`;
    default:
      return `${registry}/${image}:v${kubernetes}`;
  }
}

/**
 * The image of one pinned component. Each binary sits in its own layer
 * under /usr/local/bin (a layer with the same file is the same blob, so
 * kube-apiserver, kube-controller-manager and kube-scheduler share the
 * 140 MB multi-call binary). The multi-call `kubernetes` binary picks its
 * component from argv[0], so each of those images adds a symbolic link
 * named after its component, and the entrypoint and the seed driver's
 * `command: [kube-apiserver]` both start it through that name.
 */
export function componentImage(image: ComponentImage, options: ComponentOptions = {}): ImageSpec {
  const name = componentReference(image, options);
  const bin = (binary: "etcd" | "etcdctl" | "etcdutl" | "kwok" | "pause" | "coredns" | "kube-apiserver"): string => binaryPath(binary, { kubernetesVersion: options.kubernetesVersion, env: options.env });
  const file = (path: string, source: string): LayerSpec => ({ entries: [{ type: "file", path, source, mode: 0o755 }] });
  const user = `${nonroot.uid}:${nonroot.gid}`;
  const env = [imagePath];
  switch (image) {
    case "etcd":
      // As the official image: etcd with etcdctl and etcdutl beside it (for snapshots and restores in the pod).
      return {
        names: [name],
        layers: [baseLayer(), { entries: ["etcd", "etcdctl", "etcdutl"].map((b) => ({ type: "file", path: `/usr/local/bin/${b}`, source: bin(b as "etcd"), mode: 0o755 })) }],
        config: { entrypoint: ["/usr/local/bin/etcd"], env, user, workingDir: "/" },
      };
    case "kwok":
      return { names: [name], layers: [baseLayer(), file("/usr/local/bin/kwok", bin("kwok"))], config: { entrypoint: ["/usr/local/bin/kwok"], env, user, workingDir: "/" } };
    case "coredns":
      return { names: [name], layers: [baseLayer(), file("/coredns", bin("coredns"))], config: { entrypoint: ["/coredns"], env, user, workingDir: "/" } };
    case "pause":
      // Upstream's pause runs as 65535 from /pause; so does this one.
      return { names: [name], layers: [baseLayer(), file("/pause", options.pauseBinary ?? bin("pause"))], config: { entrypoint: ["/pause"], env, user: "65535:65535", workingDir: "/" } };
    default:
      return {
        names: [name],
        layers: [
          baseLayer(),
          // The multi-call binary by its real path (the symlink's target), one shared layer.
          file("/usr/local/bin/kubernetes", bin("kube-apiserver")),
          { entries: [{ type: "symlink", path: `/usr/local/bin/${image}`, target: "kubernetes" }] },
        ],
        config: { entrypoint: [`/usr/local/bin/${image}`], env, user, workingDir: "/" },
      };
  }
}
