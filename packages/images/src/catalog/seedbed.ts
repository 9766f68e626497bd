import { readFile, stat } from "node:fs/promises";
import { basename, join, posix, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { binaryPath } from "@seedbed/binaries";
import { parse } from "yaml";
import type { LayerEntry } from "../layer/entries.ts";
import type { ImageSpec } from "../layout/spec.ts";
import { baseLayer, imagePath, nonroot } from "./base.ts";
import { hostProgram } from "./host-libs.ts";
import { productionDeps, type LockPackage } from "./production-deps.ts";
import { treeEntries } from "./tree.ts";

/** This repository, whose packages the Seedbed image holds. */
export const repositoryRoot: string = fileURLToPath(new URL("../../../../", import.meta.url));

/** Where the repository goes in the image. */
export const appDir = "/app";

/** What goes into the Seedbed image and what it is called. */
export interface SeedbedImageOptions {
  /** Full reference; default the chart's `image.repository` with its appVersion, so `helm install` without image values finds it. */
  readonly name?: string;
  /** Repository to copy (default this one); it must have run `npm ci`. */
  readonly repository?: string;
  /** The Node.js 24 program to run (default the one running this code). */
  readonly node?: string;
  /** Where the pinned binaries are found (SEEDBED_BIN_DIR; default this machine's cache). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Where the image keeps the pinned binaries the operator runs itself (SEEDBED_BIN_DIR). */
export const imageBinDir = "/usr/local/lib/seedbed/bin";

/** The chart's default image reference: `image.repository` : (`image.tag` or the chart's appVersion). */
export async function chartImageReference(repository: string = repositoryRoot): Promise<string> {
  const chart = join(repository, "deploy", "helm", "seedbed");
  const values = parse(await readFile(join(chart, "values.yaml"), "utf8")) as { image?: { repository?: string; tag?: string } };
  const meta = parse(await readFile(join(chart, "Chart.yaml"), "utf8")) as { appVersion?: string | number };
  const image = values.image?.repository;
  const tag = values.image?.tag !== undefined && values.image.tag !== "" ? values.image.tag : meta.appVersion;
  if (image === undefined || tag === undefined) throw new Error(`${chart}: values.yaml needs image.repository and Chart.yaml an appVersion`);
  return `${image}:${String(tag)}`;
}

/**
 * The image of Seedbed itself: Node.js with the shared libraries it loads
 * (copied from this machine, so no distribution base is needed), the
 * production node_modules, and the repository's packages run from their
 * TypeScript sources (Node 24 strips types itself). Four layers, least
 * changing first: base, Node.js, node_modules, the app. `seedbed` on the
 * PATH is the CLI (what the chart's `command: [seedbed]` runs, through
 * its `#!/usr/bin/env node` line); the entrypoint runs it too. A fifth
 * layer holds etcd, etcdctl and etcdutl, which backups, restores and drills run,
 * and helm, which installs Helm add-ons.
 */
export async function seedbedImage(options: SeedbedImageOptions = {}): Promise<ImageSpec> {
  const repository = options.repository ?? repositoryRoot;
  const node = options.node ?? process.execPath;
  const name = options.name ?? (await chartImageReference(repository));
  const bin = `${appDir}/packages/cli/src/bin/seedbed.ts`;
  return {
    names: [name],
    layers: [
      baseLayer(),
      { entries: [...(await hostProgram(node, "/usr/local/bin/node")), ...(await hostProgram("/usr/bin/env", "/usr/bin/env"))].filter(uniquePaths()) },
      { entries: await nodeModules(repository) },
      { entries: [...(await appEntries(repository)), { type: "symlink", path: "/usr/local/bin/seedbed", target: bin }] },
      // Named as in the binary cache, where binaryPath looks for them.
      { entries: (["etcd", "etcdctl", "etcdutl", "helm"] as const).map((tool) => ({ type: "file" as const, path: `${imageBinDir}/${basename(binaryPath(tool, { env: options.env }))}`, source: binaryPath(tool, { env: options.env }), mode: 0o755 })) },
    ],
    config: {
      entrypoint: ["/usr/local/bin/node", bin],
      env: [imagePath, `HOME=${nonroot.home}`, "NODE_ENV=production", `SEEDBED_BIN_DIR=${imageBinDir}`],
      user: `${nonroot.uid}:${nonroot.gid}`,
      workingDir: appDir,
    },
  };
}

// node and env share libc and the loader; list each path once.
function uniquePaths(): (entry: LayerEntry) => boolean {
  const seen = new Set<string>();
  return (entry) => !seen.has(entry.path) && Boolean(seen.add(entry.path));
}

async function nodeModules(repository: string): Promise<LayerEntry[]> {
  const lockFile = join(repository, "package-lock.json");
  const deps = productionDeps(JSON.parse(await readFile(lockFile, "utf8")) as { packages?: Record<string, LockPackage> });
  const entries: LayerEntry[] = [];
  for (const folder of deps.folders) {
    const present = await stat(join(repository, folder)).then((s) => s.isDirectory(), () => false);
    if (!present) {
      if (deps.optional.has(folder)) continue;
      throw new Error(`${folder} is in ${lockFile} but not installed; run \`npm ci\` in ${repository} first`);
    }
    // Nested node_modules are folders of their own in the lock (or dev-only).
    entries.push(...(await treeEntries(join(repository, folder), posix.join(appDir, folder), (rel) => rel === "node_modules" || rel === ".bin")));
  }
  for (const link of deps.links) {
    entries.push({ type: "symlink", path: posix.join(appDir, link.path), target: relative(posix.dirname(link.path), link.target) });
  }
  return entries;
}

// The packages' sources without their tests, and the files they read at
// run time beside them: the pinned versions, the CRDs and the chart.
async function appEntries(repository: string): Promise<LayerEntry[]> {
  const skip = (rel: string, isDirectory: boolean): boolean =>
    /(^|\/)node_modules$/.test(rel) || (isDirectory && /^[^/]+\/test$/.test(rel)) || /\.test\.ts$/.test(rel) || /(^|\/)README\.md$/.test(rel);
  return [
    { type: "file", path: `${appDir}/package.json`, source: join(repository, "package.json") },
    { type: "file", path: `${appDir}/tools/k8s/versions.json`, source: join(repository, "tools", "k8s", "versions.json") },
    ...(await treeEntries(join(repository, "packages"), `${appDir}/packages`, skip)),
    ...(await treeEntries(join(repository, "deploy", "crds"), `${appDir}/deploy/crds`)),
    ...(await treeEntries(join(repository, "deploy", "helm", "seedbed"), `${appDir}/deploy/helm/seedbed`)),
  ];
}
