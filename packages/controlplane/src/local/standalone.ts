import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binaryPath, defaultKubernetesVersion } from "@seedbed/binaries";
import { buildKubeconfig } from "@seedbed/pki";
import type { PKIFiles } from "../pki-layout.ts";
import { renderControlPlane, type ControlPlanePorts, type RenderedComponent } from "../render/control-plane.ts";
import { kwokStages } from "../render/kwok-stages.ts";
import { firstServiceIP } from "../network.ts";
import { PlainLauncher, SupervisingLauncher, type Launcher } from "./launcher.ts";
import { ensurePKIFiles } from "./pki-files.ts";
import type { ManagedProcess } from "./process.ts";
import { startComponents } from "./start-components.ts";
import { waitForReady, type ProbeTLS } from "./readiness.ts";

/** The loopback ports of a standalone control plane. */
export type StandalonePorts = ControlPlanePorts;

/** Options of a standalone control plane. */
export interface StandaloneOptions {
  /** Holds pki/, etcd/, logs/ and the kubeconfigs; reused when it exists. */
  readonly dir: string;
  readonly ports: StandalonePorts;
  readonly kubernetesVersion?: string;
  /** Also run kube-controller-manager (garbage collection, namespace deletion, …). */
  readonly controllerManager?: boolean;
  /** Also run kube-scheduler. */
  readonly scheduler?: boolean;
  /** Also run kwok, which keeps simulated Nodes and their pods Ready. */
  readonly kwok?: boolean;
  /** Only for throw-away instances: etcd skips fsync. */
  readonly unsafeNoFsync?: boolean;
  readonly serviceClusterIPRange?: string;
  readonly readyTimeoutMs?: number;
  readonly apiServerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  readonly controllerManagerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  readonly schedulerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  /** How long components may take to stop after SIGTERM (plain processes only; default 10 s). */
  readonly stopGraceMs?: number;
  /**
   * Supervise the processes (restart on crash, adopt after a platform
   * restart) under this marker prefix; plain child processes otherwise.
   */
  readonly supervise?: { readonly markerPrefix: string };
}

/** A running etcd and kube-apiserver (and optionally controllers and kwok) on loopback. */
export interface StandaloneControlPlane {
  readonly dir: string;
  /** https://127.0.0.1:port */
  readonly server: string;
  /** An admin (system:masters) kubeconfig, as YAML and as a file. */
  readonly kubeconfig: string;
  readonly kubeconfigPath: string;
  readonly pki: PKIFiles;
  /** The running processes by component name. */
  readonly processes: ReadonlyMap<string, ManagedProcess>;
  /** Log file of each component, by name. */
  readonly logFiles: ReadonlyMap<string, string>;
  /** Stops kube-apiserver and starts it again on the same port and data. */
  restartAPIServer(): Promise<void>;
  /** Stops every component, last started first; resolves when all have exited. */
  stop(): Promise<void>;
  /** Leaves the processes running for a later run to adopt (supervised only). */
  detach(): void;
}

const defaultServiceCIDR = "10.96.0.0/12";

/**
 * Starts etcd and kube-apiserver (and, when asked, kube-controller-manager,
 * kube-scheduler and kwok) as local processes and waits until each is
 * healthy. If any fails to come up, everything already started is stopped
 * before the error is thrown: nothing is left half-made.
 */
export async function startStandaloneControlPlane(options: StandaloneOptions): Promise<StandaloneControlPlane> {
  const version = options.kubernetesVersion ?? defaultKubernetesVersion;
  const dir = options.dir;
  const logDir = join(dir, "logs");
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const serviceCIDR = options.serviceClusterIPRange ?? defaultServiceCIDR;
  const pki = await ensurePKIFiles(join(dir, "pki"), { clusterName: "standalone", kubernetesServiceIP: firstServiceIP(serviceCIDR) });
  const server = `https://127.0.0.1:${options.ports.apiServer}`;
  const caPem = readFileSync(pki.caCert, "utf8");
  const kubeconfigFor = (user: string, cert: string, key: string): string =>
    buildKubeconfig({ clusterName: "seedbed", server, certificateAuthorityPem: caPem, userName: user, clientCertificatePem: readFileSync(cert, "utf8"), clientKeyPem: readFileSync(key, "utf8") });
  const kubeconfig = kubeconfigFor("admin", pki.adminCert, pki.adminKey);
  const kubeconfigPath = writePrivate(join(dir, "admin.kubeconfig"), kubeconfig);
  const workDir = (component: string): string => {
    const path = join(dir, "work", component);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  };
  const components = renderControlPlane({
    layout: {
      pki,
      etcdDataDir: join(dir, "etcd"),
      controllerManagerKubeconfig: writePrivate(join(dir, "controller-manager.kubeconfig"), kubeconfigFor("system:kube-controller-manager", pki.controllerManagerCert, pki.controllerManagerKey)),
      schedulerKubeconfig: writePrivate(join(dir, "scheduler.kubeconfig"), kubeconfigFor("system:kube-scheduler", pki.schedulerCert, pki.schedulerKey)),
      adminKubeconfig: kubeconfigPath,
      workDir,
      kwokStagesFile: writePrivate(join(workDir("kwok"), "stages.yaml"), kwokStages),
      binaries: {
        etcd: binaryPath("etcd"),
        kubeAPIServer: binaryPath("kube-apiserver", { kubernetesVersion: version }),
        kubeControllerManager: binaryPath("kube-controller-manager", { kubernetesVersion: version }),
        kubeScheduler: binaryPath("kube-scheduler", { kubernetesVersion: version }),
        kwok: options.kwok === true ? binaryPath("kwok") : "kwok",
      },
    },
    ports: options.ports,
    serviceCIDR,
    components: { controllerManager: options.controllerManager === true, scheduler: options.scheduler === true, kwok: options.kwok === true },
    unsafeNoFsync: options.unsafeNoFsync,
    apiServerExtraFlags: options.apiServerExtraFlags,
    controllerManagerExtraFlags: options.controllerManagerExtraFlags,
    schedulerExtraFlags: options.schedulerExtraFlags,
  });
  const adminTLS: ProbeTLS = { ca: caPem, cert: readFileSync(pki.adminCert, "utf8"), key: readFileSync(pki.adminKey, "utf8") };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const launcher: Launcher = options.supervise ? new SupervisingLauncher({ cwd: dir, markerPrefix: options.supervise.markerPrefix }) : new PlainLauncher(dir, options.stopGraceMs);

  let processes: Map<string, ManagedProcess>;
  try {
    processes = await startComponents(components, { launcher, logDir, adminTLS, timeoutMs });
  } catch (error) {
    await launcher.stopAll();
    throw error;
  }
  const logFiles = new Map(components.map((c: RenderedComponent) => [c.spec.name, join(logDir, `${c.spec.name}.log`)]));
  const apiServer = components[1];
  return {
    dir,
    server,
    kubeconfig,
    kubeconfigPath,
    pki,
    processes,
    logFiles,
    async restartAPIServer(): Promise<void> {
      if (!apiServer) return;
      await launcher.stop(apiServer.spec.name);
      const proc = await launcher.launch(apiServer.spec, join(logDir, `${apiServer.spec.name}.log`));
      processes.set(apiServer.spec.name, proc);
      await waitForReady({ url: apiServer.health.url, tls: adminTLS, process: proc, timeoutMs });
    },
    stop: () => launcher.stopAll(),
    detach(): void {
      if (launcher instanceof SupervisingLauncher) launcher.detachAll();
    },
  };
}

function writePrivate(path: string, content: string): string {
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}
