import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { versions } from "@seedbed/binaries";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayerEntry } from "../layer/entries.ts";
import { importCommand } from "../load/ctr.ts";
import { catalogReference, parseImageIds } from "./catalog.ts";
import { componentImage, componentReference } from "./components.ts";
import { seedbedImage } from "./seedbed.ts";

// A fake binary cache: the component specs only name the files.
let bin: string;
const env = (): NodeJS.ProcessEnv => ({ SEEDBED_BIN_DIR: bin });
const k8s = versions.kubernetes[0] ?? "";
beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), "seedbed-images-bin-"));
  const files = [`etcd-v${versions.etcd}`, `etcdctl-v${versions.etcd}`, `etcdutl-v${versions.etcd}`, `helm-v${versions.helm}`, `kwok-v${versions.kwok}`, `kube-apiserver-v${k8s}`, `pause-v${versions.pause}`];
  await Promise.all(files.map((f) => writeFile(join(bin, f), "#!/bin/true\n", { mode: 0o755 })));
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

const paths = (entries: readonly LayerEntry[]): string[] => entries.map((e) => e.path);

describe("component images", () => {
  it.each([
    ["etcd", undefined, `docker.io/seedbed/etcd:${versions.etcd}-0`],
    ["kube-apiserver", "registry.k8s.io", `registry.k8s.io/kube-apiserver:v${k8s}`],
    ["kube-scheduler", "localhost:5000/x/", `localhost:5000/x/kube-scheduler:v${k8s}`],
    ["kwok", undefined, `docker.io/seedbed/kwok/kwok:v${versions.kwok}`],
    ["pause", undefined, `docker.io/seedbed/pause:${versions.pause}`],
  ] as const)("name %s under registry %s as the official image is named", (image, registry, name) => {
    expect(componentReference(image, { registry })).toBe(name);
  });

  it("start each Kubernetes component through a link named after it, sharing the binary's layer", () => {
    const apiserver = componentImage("kube-apiserver", { env: env() });
    const scheduler = componentImage("kube-scheduler", { env: env() });
    expect(apiserver.config).toMatchObject({ entrypoint: ["/usr/local/bin/kube-apiserver"], user: "65532:65532" });
    expect(apiserver.layers[2]?.entries).toEqual([{ type: "symlink", path: "/usr/local/bin/kube-apiserver", target: "kubernetes" }]);
    expect(apiserver.layers[1]).toEqual(scheduler.layers[1]);
    expect(apiserver.layers[1]?.entries).toEqual([{ type: "file", path: "/usr/local/bin/kubernetes", source: join(bin, `kube-apiserver-v${k8s}`), mode: 0o755 }]);
    expect(apiserver.config.env).toContain("PATH=/usr/local/bin:/usr/bin:/bin");
  });

  it("put etcd with etcdctl and etcdutl, and pause at /pause as upstream", () => {
    expect(paths(componentImage("etcd", { env: env() }).layers[1]?.entries ?? [])).toEqual(["/usr/local/bin/etcd", "/usr/local/bin/etcdctl", "/usr/local/bin/etcdutl"]);
    const pause = componentImage("pause", { env: env(), pauseBinary: "/opt/other-pause" });
    expect(pause.config).toMatchObject({ entrypoint: ["/pause"], user: "65535:65535" });
    expect(pause.layers[1]?.entries).toEqual([{ type: "file", path: "/pause", source: "/opt/other-pause", mode: 0o755 }]);
  });

  it("say how to build a binary that is missing", () => {
    expect(() => componentImage("kwok", { env: { SEEDBED_BIN_DIR: "/nonexistent" } })).toThrow(/kwok v.* is not built.*make bins/);
  });
});

describe("the Seedbed image", () => {
  it("is named like the chart's default image and runs the CLI with Node.js as nonroot", async () => {
    const name = await catalogReference("seedbed");
    expect(name).toMatch(/^ghcr\.io\/seedbed\/seedbed:\d+\.\d+\.\d+/);
    const spec = await seedbedImage({ name: "docker.io/seedbed/seedbed:test", env: env() });
    expect(spec.names).toEqual(["docker.io/seedbed/seedbed:test"]);
    expect(spec.config).toMatchObject({ entrypoint: ["/usr/local/bin/node", "/app/packages/cli/src/bin/seedbed.ts"], user: "65532:65532", workingDir: "/app" });
    const [, runtime, modules, app, tools] = spec.layers.map((l) => paths(l.entries));
    // etcd (a drill's scratch etcd), etcdctl and etcdutl for backups, restores and drills, and helm for Helm add-ons, where SEEDBED_BIN_DIR points.
    expect(tools).toEqual([`/usr/local/lib/seedbed/bin/etcd-v${versions.etcd}`, `/usr/local/lib/seedbed/bin/etcdctl-v${versions.etcd}`, `/usr/local/lib/seedbed/bin/etcdutl-v${versions.etcd}`, `/usr/local/lib/seedbed/bin/helm-v${versions.helm}`]);
    expect(spec.config.env).toContain("SEEDBED_BIN_DIR=/usr/local/lib/seedbed/bin");
    expect(runtime).toEqual(expect.arrayContaining(["/usr/local/bin/node", "/usr/bin/env", "/lib64/ld-linux-x86-64.so.2"]));
    expect(runtime?.some((p) => /\/libc\.so\.6$/.test(p))).toBe(true);
    expect(new Set(runtime).size).toBe(runtime?.length);
    expect(modules).toEqual(expect.arrayContaining(["/app/node_modules/yaml", "/app/node_modules/@kubernetes/client-node", "/app/node_modules/@seedbed/cli"]));
    expect(modules?.some((p) => p.startsWith("/app/node_modules/vitest"))).toBe(false);
    expect(modules?.some((p) => p.startsWith("/app/node_modules/typescript/"))).toBe(false);
    expect(app).toEqual(expect.arrayContaining(["/app/packages/cli/src/bin/seedbed.ts", "/app/tools/k8s/versions.json", "/app/deploy/helm/seedbed/values.yaml", "/usr/local/bin/seedbed"]));
    expect(app?.filter((p) => p.endsWith(".test.ts") || p.includes("/test/") || p.includes("/node_modules/"))).toEqual([]);
    const link = spec.layers[2]?.entries.find((e) => e.path === "/app/node_modules/@seedbed/cli");
    expect(link).toEqual({ type: "symlink", path: "/app/node_modules/@seedbed/cli", target: "../../packages/cli" });
  });
});

describe("the command line's pieces", () => {
  it("take all images by default and refuse an unknown one", () => {
    expect(parseImageIds([])).toEqual(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "pause", "coredns", "toolbox", "seedbed"]);
    expect(parseImageIds(["etcd"])).toEqual(["etcd"]);
    expect(() => parseImageIds(["etcd", "nginx"])).toThrow(/unknown image "nginx"; choose from etcd, kube-apiserver/);
  });

  it("import into the CRI's namespace unless told otherwise", () => {
    expect(importCommand("/c/x.tar", { address: "/run/c.sock" })).toEqual(["--address", "/run/c.sock", "--namespace", "k8s.io", "images", "import", "/c/x.tar"]);
    expect(importCommand("/c/x.tar", { address: "/s", namespace: "t", snapshotter: "native" })).toEqual(["--address", "/s", "--namespace", "t", "images", "import", "--snapshotter", "native", "/c/x.tar"]);
  });
});
