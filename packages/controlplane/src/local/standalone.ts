import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultKubernetesVersion } from "@seedbed/binaries";
import { authenticationConfigFile } from "../driver.ts";
import { pkiFileNames, pkiFiles, type PKIFiles } from "../pki-layout.ts";
import { renderControlPlane, type ControlPlanePorts, type RenderedComponent } from "../render/control-plane.ts";
import { firstServiceIP } from "../network.ts";
import { PlainLauncher, SupervisingLauncher, type Launcher } from "./launcher.ts";
import { writeLocalLayout } from "./layout.ts";
import { ensurePKIFiles } from "./pki-files.ts";
import type { ManagedProcess } from "./process.ts";
import { startComponents } from "./start-components.ts";
import { waitForReady } from "./readiness.ts";

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
  /**
   * Real nodes and their pods will reach this API: it listens on every
   * address, advertises this one (an address of this machine the nodes'
   * network namespaces reach, named in its certificate), keeps the
   * kubernetes Service's endpoints there, as a cluster's API does, and
   * calls the kubelets with the admin certificate.
   */
  readonly nodeAddress?: string;
  /** Only for throw-away instances: etcd skips fsync. */
  readonly unsafeNoFsync?: boolean;
  readonly serviceClusterIPRange?: string;
  readonly readyTimeoutMs?: number;
  readonly apiServerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  /** The kube-apiserver's AuthenticationConfiguration (YAML), e.g. an OIDC issuer; written beside the certificates. */
  readonly authenticationConfig?: string;
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
  /** https://<nodeAddress>:port, where real nodes reach the API (the loopback server without a nodeAddress). */
  readonly nodeServer: string;
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
 * The kube-apiserver's side of talking to real kubelets (logs, exec,
 * port-forward): it reaches them at their InternalIP (a node's name does
 * not resolve here), verifies their serving certificates against the
 * cluster CA that signed them, and authenticates with the admin
 * certificate, which the kubelets' webhook authorization admits.
 */
function kubeletAccessFlags(pki: PKIFiles): Record<string, string> {
  return {
    "kubelet-preferred-address-types": "InternalIP,Hostname",
    "kubelet-certificate-authority": pki.caCert,
    "kubelet-client-certificate": pki.adminCert,
    "kubelet-client-key": pki.adminKey,
  };
}

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
  const pkiDir = join(dir, "pki");
  const { nodeAddress } = options;
  await ensurePKIFiles(pkiDir, { clusterName: "standalone", kubernetesServiceIP: firstServiceIP(serviceCIDR), ...(nodeAddress === undefined ? {} : { apiServerAltNames: [nodeAddress] }) });
  const nodeFlags: Record<string, string> = nodeAddress === undefined ? {} : kubeletAccessFlags(pkiFiles(pkiDir));
  const server = `https://127.0.0.1:${options.ports.apiServer}`;
  const { layout, adminKubeconfig, adminTLS } = writeLocalLayout({
    dir,
    clusterName: "seedbed",
    server,
    pki: new Map([
      ...pkiFileNames.map((file): [string, string] => [file, readFileSync(join(pkiDir, file), "utf8")]),
      ...(options.authenticationConfig === undefined ? [] : [[authenticationConfigFile, options.authenticationConfig] as [string, string]]),
    ]),
    version,
    kwok: options.kwok === true,
  });
  const components = renderControlPlane({
    layout,
    ports: options.ports,
    serviceCIDR,
    components: { controllerManager: options.controllerManager === true, scheduler: options.scheduler === true, kwok: options.kwok === true },
    unsafeNoFsync: options.unsafeNoFsync,
    nodeAddress,
    apiServerExtraFlags: {
      ...nodeFlags,
      ...options.apiServerExtraFlags,
      ...(options.authenticationConfig === undefined ? {} : { "authentication-config": join(pkiDir, authenticationConfigFile) }),
    },
    controllerManagerExtraFlags: options.controllerManagerExtraFlags,
    schedulerExtraFlags: options.schedulerExtraFlags,
  });
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
    nodeServer: nodeAddress === undefined ? server : `https://${nodeAddress}:${options.ports.apiServer}`,
    kubeconfig: adminKubeconfig,
    kubeconfigPath: layout.adminKubeconfig,
    pki: layout.pki,
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
