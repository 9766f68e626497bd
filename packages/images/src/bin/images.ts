#!/usr/bin/env node
// Builds the project's OCI images from files and loads them into a
// containerd: `npm run images -- list|build|load [ids...]`.
import { Command } from "commander";
import { catalogReference, parseImageIds, type CatalogOptions } from "../catalog/catalog.ts";
import { buildImages, imagesCacheDir, loadImages } from "../load/load.ts";

interface CommonFlags {
  registry?: string;
  kubernetesVersion?: string;
  seedbedName?: string;
  pauseBinary?: string;
  busybox?: string;
  cacheDir?: string;
}

function catalogOptions(flags: CommonFlags): CatalogOptions {
  return { registry: flags.registry, kubernetesVersion: flags.kubernetesVersion, pauseBinary: flags.pauseBinary, toolbox: { busybox: flags.busybox }, seedbed: { name: flags.seedbedName } };
}

function common(command: Command): Command {
  return command
    .argument("[images...]", "etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, pause, coredns, toolbox, seedbed (default: all)")
    .option("--registry <prefix>", "registry and path of the component images (the toolbox is always seedbed.dev/toolbox:latest)", "docker.io/seedbed")
    .option("--kubernetes-version <version>", "Kubernetes version of the control-plane images (default: the pinned default)")
    .option("--seedbed-name <reference>", "full reference of the Seedbed image (default: the chart's image.repository:appVersion)")
    .option("--pause-binary <path>", "the pause program (default: the pinned one from the binary cache)")
    .option("--busybox <path>", "the static busybox of the toolbox image (default: /bin/busybox, from Debian's busybox-static)")
    .option("--cache-dir <dir>", "where blobs and image tars are kept", imagesCacheDir());
}

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const program = new Command().name("images").description("OCI images of the pinned binaries and of Seedbed, built without Docker or a registry");

common(program.command("list").description("print each image's id and full name")).action(async (ids: string[], flags: CommonFlags) => {
  for (const id of parseImageIds(ids)) print(`${id}\t${await catalogReference(id, catalogOptions(flags))}`);
});

common(program.command("build").description("write each image as an OCI layout tar into the cache; print id, name, tar and manifest digest")).action(
  async (ids: string[], flags: CommonFlags) => {
    await buildImages({ ...catalogOptions(flags), ids: parseImageIds(ids), cacheDir: flags.cacheDir, onImage: (id, image) => print(`${id}\t${image.names.join(",")}\t${image.path}\t${image.manifestDigest}`) });
  },
);

common(program.command("load").description("build, then import into a containerd with ctr (namespace k8s.io: the CRI's)"))
  .requiredOption("--address <socket>", "containerd's socket, e.g. /run/containerd/containerd.sock")
  .option("--namespace <namespace>", "containerd namespace", "k8s.io")
  .option("--snapshotter <name>", "snapshotter to unpack into (the CRI plugin's)")
  .option("--ctr <path>", "the ctr program", "ctr")
  .action(async (ids: string[], flags: CommonFlags & { address: string; namespace: string; snapshotter?: string; ctr: string }) => {
    await loadImages({
      ...catalogOptions(flags),
      ids: parseImageIds(ids),
      cacheDir: flags.cacheDir,
      containerd: { address: flags.address, namespace: flags.namespace, snapshotter: flags.snapshotter, ctr: flags.ctr },
      onImage: (id, image) => print(`${id}\t${image.names.join(",")}\tloaded\t${image.manifestDigest}`),
    });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`images: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
