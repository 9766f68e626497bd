import { accessSync, constants } from "node:fs";
import type { ImageSpec, LayerSpec } from "../layout/spec.ts";
import { baseLayer, imagePath, nonroot } from "./base.ts";
import { isStaticExecutable } from "./static-binary.ts";

/**
 * The toolbox's one name. Not under a registry prefix like the component
 * images: pods write it as it is (`image: seedbed.dev/toolbox:latest`,
 * with `imagePullPolicy: IfNotPresent` or `Never`, since `:latest`
 * defaults to Always), on every machine that imports it. seedbed.dev
 * serves no registry, so a missing import fails at once instead of
 * pulling something else.
 */
export const toolboxReference = "seedbed.dev/toolbox:latest";

/** Where Debian's busybox-static puts its static binary. */
export const defaultBusybox = "/bin/busybox";

/**
 * The busybox applets the toolbox links under /bin: a shell and what one
 * reaches for to look around a cluster from a pod (DNS, HTTP, TCP, the
 * network configuration) and to write small scripts. Every one is in
 * Debian's busybox-static (the unit test checks against its `--list`).
 */
export const toolboxApplets: readonly string[] = [
  // Shell and script plumbing.
  "sh", "ash", "[", "test", "true", "false", "echo", "printf", "env", "sleep", "timeout", "watch", "xargs", "expr", "seq", "yes", "which",
  // Files and text.
  "cat", "ls", "cp", "mv", "rm", "ln", "mkdir", "rmdir", "touch", "chmod", "find", "stat", "readlink", "realpath", "basename", "dirname",
  "head", "tail", "grep", "sed", "awk", "cut", "tr", "sort", "uniq", "wc", "tee", "diff", "less", "more", "vi", "od", "hexdump", "xxd",
  "base64", "md5sum", "sha256sum", "tar", "gzip", "gunzip", "zcat", "mktemp",
  // The network: names, HTTP, TCP, interfaces and routes.
  "wget", "httpd", "nslookup", "nc", "telnet", "ping", "ping6", "traceroute", "ip", "ifconfig", "route", "netstat", "arp", "hostname", "dnsdomainname",
  // Processes and the machine.
  "ps", "top", "kill", "pidof", "id", "whoami", "uname", "date", "uptime", "free", "df", "du", "nproc", "mount",
];

/** Where the toolbox's busybox comes from. */
export interface ToolboxOptions {
  /** A statically linked busybox (default /bin/busybox, from Debian's busybox-static). */
  readonly busybox?: string;
}

const installHint = "install Debian's busybox-static with tools/node/ensure-containerd.sh (or apt-get install busybox-static)";

/**
 * The toolbox image: busybox at /bin/busybox with a link per applet in
 * /bin (and /usr/bin/env, for `#!/usr/bin/env sh` scripts), over the base
 * layer. It starts `/bin/sh` as its command, not its entrypoint, as
 * upstream busybox does, so `args: [sleep, "3600"]` runs sleep. It runs as
 * nonroot (65532) by default, unlike upstream busybox: so it starts in
 * namespaces that enforce `runAsNonRoot` (PodSecurity restricted) without
 * a securityContext, and what it is for (DNS, HTTP, TCP clients, sleeping)
 * needs no root; who needs root (ip changes, raw ping) sets runAsUser: 0.
 */
export function toolboxImage(options: ToolboxOptions = {}): ImageSpec {
  const busybox = options.busybox ?? defaultBusybox;
  try {
    accessSync(busybox, constants.X_OK);
  } catch {
    throw new Error(`busybox: the toolbox image ${toolboxReference} needs ${busybox}, which is missing; ${installHint}`);
  }
  let isStatic: boolean;
  try {
    isStatic = isStaticExecutable(busybox);
  } catch (error) {
    throw new Error(`busybox: ${error instanceof Error ? error.message : String(error)}; ${installHint}`, { cause: error });
  }
  if (!isStatic) {
    throw new Error(`busybox: ${busybox} is dynamically linked (Debian's busybox package?) and would not run alone in the toolbox image ${toolboxReference}; ${installHint}`);
  }
  const layer: LayerSpec = {
    entries: [
      { type: "file", path: "/bin/busybox", source: busybox, mode: 0o755 },
      ...toolboxApplets.map((applet) => ({ type: "symlink" as const, path: `/bin/${applet}`, target: "busybox" })),
      { type: "symlink", path: "/usr/bin/env", target: "../../bin/busybox" },
    ],
  };
  return {
    names: [toolboxReference],
    layers: [baseLayer(), layer],
    config: { cmd: ["/bin/sh"], env: [imagePath, `HOME=${nonroot.home}`], user: `${nonroot.uid}:${nonroot.gid}`, workingDir: nonroot.home },
  };
}
