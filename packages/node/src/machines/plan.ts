import { join } from "node:path";
import type { CloudConfig, CloudConfigFile } from "./cloud-config.ts";
import { execStart } from "./systemd.ts";

/** What a local machine does with its user data: the files to write and the services to start, with every path under its root. */
export interface MachinePlan {
  /** write_files, each at its path under the machine's root. */
  readonly files: readonly CloudConfigFile[];
  readonly kubelet: {
    /** --config, --bootstrap-kubeconfig and --kubeconfig, under the root. */
    readonly config: string;
    readonly bootstrapKubeconfig: string;
    readonly kubeconfig: string;
    /** Every other flag, paths under the root. */
    readonly args: readonly string[];
  };
  /** kube-proxy's --config under the root, when the user data starts it. */
  readonly kubeProxy?: { readonly config: string };
}

/** The services a machine image provides, by the binary their unit runs. */
const knownServices = { kubelet: "/usr/bin/kubelet", "kube-proxy": "/usr/bin/kube-proxy" } as const;

/**
 * Turns user data into what the local provider runs, as if the machine's
 * root were `root`: the files it writes, and the kubelet (and kube-proxy)
 * that `systemctl enable --now` starts, read from their units and
 * drop-ins. The kubelet's own unit comes with the machine image; the user
 * data's drop-in replaces its ExecStart. Commands and services a machine
 * image here does not have are refused by name.
 */
export function planMachine(config: CloudConfig, root: string): MachinePlan {
  const rooted = (path: string): string => join(root, path);
  const started = startedServices(config.commands);
  if (!started.includes("kubelet")) throw new Error("user data: runcmd never starts the kubelet (systemctl enable --now kubelet)");
  const units = (service: string): string[] => {
    const dropIns = config.files.filter((f) => f.path.startsWith(`/etc/systemd/system/${service}.service.d/`) && f.path.endsWith(".conf")).sort((a, b) => a.path.localeCompare(b.path));
    const own = config.files.find((f) => f.path === `/etc/systemd/system/${service}.service`);
    // The image's unit, as the kubelet's Debian and RPM packages install it.
    const image = service === "kubelet" ? `[Service]\nExecStart=${knownServices.kubelet}\n` : "";
    return [own?.content ?? image, ...dropIns.map((f) => f.content)];
  };

  const kubeletArgv = execStart(units("kubelet"), "kubelet.service");
  if (kubeletArgv[0] !== knownServices.kubelet) throw new Error(`user data: kubelet.service runs ${kubeletArgv[0] ?? "nothing"}; the machine image has ${knownServices.kubelet}`);
  const kubeletFlags = flags(kubeletArgv.slice(1), rooted);
  const required = (name: string): string => {
    const value = kubeletFlags.named.get(name);
    if (value === undefined) throw new Error(`user data: the kubelet is started without --${name}`);
    return value;
  };
  const kubelet = { config: required("config"), bootstrapKubeconfig: required("bootstrap-kubeconfig"), kubeconfig: required("kubeconfig"), args: kubeletFlags.other };

  let kubeProxy: MachinePlan["kubeProxy"];
  if (started.includes("kube-proxy")) {
    const argv = execStart(units("kube-proxy"), "kube-proxy.service");
    if (argv[0] !== knownServices["kube-proxy"]) throw new Error(`user data: kube-proxy.service runs ${argv[0] ?? "nothing"}; the machine image has ${knownServices["kube-proxy"]}`);
    const proxyFlags = flags(argv.slice(1), rooted);
    const proxyConfig = proxyFlags.named.get("config");
    if (proxyConfig === undefined) throw new Error("user data: kube-proxy is started without --config");
    kubeProxy = { config: proxyConfig };
  }
  return { files: config.files.map((f) => ({ ...f, path: rooted(f.path) })), kubelet, ...(kubeProxy ? { kubeProxy } : {}) };
}

/** The services runcmd starts; `systemctl daemon-reload` is a no-op here, anything else is refused. */
function startedServices(commands: CloudConfig["commands"]): string[] {
  const started: string[] = [];
  for (const [i, command] of commands.entries()) {
    const [program, verb, ...rest] = command;
    if (program !== "systemctl") throw new Error(`user data: runcmd[${i}] runs ${program ?? "nothing"}; the local provider runs only systemctl`);
    if (verb === "daemon-reload") continue;
    const services = rest.filter((word) => !word.startsWith("--")).map((name) => name.replace(/\.service$/, ""));
    if ((verb !== "enable" || !rest.includes("--now")) && verb !== "start" && verb !== "restart") throw new Error(`user data: runcmd[${i}] systemctl ${verb ?? ""} is not supported by the local provider (enable --now, start, restart, daemon-reload)`);
    for (const service of services) {
      if (!(service in knownServices)) throw new Error(`user data: runcmd[${i}] starts ${service}, which a local machine does not have (it has ${Object.keys(knownServices).join(", ")})`);
      if (!started.includes(service)) started.push(service);
    }
  }
  return started;
}

/** Splits --name=value flags into the named ones a caller takes apart and the rest; absolute paths go under the root. */
function flags(args: readonly string[], rooted: (path: string) => string): { named: Map<string, string>; other: string[] } {
  const named = new Map<string, string>();
  const other: string[] = [];
  const taken = new Set(["config", "bootstrap-kubeconfig", "kubeconfig"]);
  for (const arg of args) {
    const match = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`user data: flag ${arg} is not in --name=value form`);
    const [, name = "", raw = ""] = match;
    const value = raw.startsWith("/") ? rooted(raw) : raw;
    if (taken.has(name)) named.set(name, value);
    else other.push(`--${name}=${value}`);
  }
  return { named, other };
}
