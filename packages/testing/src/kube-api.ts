import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { componentLogs, reservePorts, startStandaloneControlPlane, type ManagedProcess, type PKIFiles, type StandaloneControlPlane } from "@seedbed/controlplane";
import { machineAddress } from "@seedbed/node";

/** What to start besides etcd and kube-apiserver. */
export interface KubeAPIOptions {
  /** kube-controller-manager and kube-scheduler. */
  readonly controllers?: boolean;
  /** kwok, keeping Nodes annotated kwok.x-k8s.io/node=fake and their pods Ready. */
  readonly kwok?: boolean;
  /** One of the versions in tools/k8s/versions.json; the default is the newest. */
  readonly kubernetesVersion?: string;
  readonly apiServerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  /** The kube-apiserver's AuthenticationConfiguration (YAML), e.g. trusting a test OIDC issuer. */
  readonly authenticationConfig?: string;
  readonly controllerManagerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  readonly schedulerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Real kubelets will join (startRealNode, at `nodeServer`): the API server
   * listens on this machine's address, which the nodes' network namespaces
   * reach, and keeps the kubernetes Service's endpoints there; it reaches
   * the kubelets at their InternalIP, verifies their serving certificates
   * against the cluster CA and authenticates with the admin certificate, so
   * that logs, exec and port-forward work.
   */
  readonly realNodes?: boolean;
}

/** A real etcd and kube-apiserver for one test file. */
export interface KubeAPI {
  /** https://127.0.0.1:port */
  readonly server: string;
  /** Where real nodes reach the API: https://<this machine's address>:port with realNodes, else `server`. */
  readonly nodeServer: string;
  /** An admin kubeconfig as YAML, and the file holding it. */
  readonly kubeconfig: string;
  readonly kubeconfigPath: string;
  /** A fresh client configuration for the admin kubeconfig. */
  kubeConfig(): KubeConfig;
  /** The temporary directory holding data, certificates and logs. */
  readonly dir: string;
  /** The PEM files of the control plane, e.g. the cluster CA that signs a real node's certificates. */
  readonly pki: PKIFiles;
  readonly ports: readonly number[];
  /** Pids of the running components, by name. */
  pids(): ReadonlyMap<string, number>;
  /** How long start-up took, in milliseconds. */
  readonly startupMs: number;
  /** Every component's log, each under a header with its name. */
  logs(): string;
  /** Stops kube-apiserver and starts it again on the same port and data. */
  restartAPIServer(): Promise<void>;
  /** Stops everything and removes the directory and the port reservations; safe to call twice. */
  stop(): Promise<void>;
}

/** Every instance still running in this process, killed if the process exits without stopping them. */
const running = new Set<StandaloneControlPlane>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test runner that dies or exits early must not leave servers behind.
  process.once("exit", () => {
    for (const plane of running) for (const proc of plane.processes.values()) proc.signal("SIGKILL");
  });
}

/**
 * Starts a real etcd and kube-apiserver on free loopback ports with freshly
 * generated certificates, in a temporary directory of their own.
 */
export async function startKubeAPI(options: KubeAPIOptions = {}): Promise<KubeAPI> {
  const began = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "seedbed-kubeapi-"));
  const reservation = await reservePorts(options.controllers || options.kwok ? 6 : 3);
  const [apiServer = 0, etcdClient = 0, etcdPeer = 0, controllerManager, scheduler, kwok] = reservation.ports;
  installExitHook();
  let plane: StandaloneControlPlane;
  try {
    plane = await startStandaloneControlPlane({
      dir,
      ports: { apiServer, etcdClient, etcdPeer, controllerManager, scheduler, kwok },
      kubernetesVersion: options.kubernetesVersion,
      controllerManager: options.controllers,
      scheduler: options.controllers,
      kwok: options.kwok,
      unsafeNoFsync: true,
      ...(options.realNodes ? { nodeAddress: machineAddress() } : {}),
      // Throw-away data: no need to wait for a kube-apiserver draining its
      // watches (it takes the full 10 s default when a watch is open).
      stopGraceMs: 3000,
      apiServerExtraFlags: options.apiServerExtraFlags,
      authenticationConfig: options.authenticationConfig,
      controllerManagerExtraFlags: options.controllerManagerExtraFlags,
      schedulerExtraFlags: options.schedulerExtraFlags,
    });
  } catch (error) {
    reservation.release();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  running.add(plane);
  const startupMs = Math.round(performance.now() - began);
  const started = [...plane.processes.keys()].join(", ");
  process.stderr.write(`[seedbed/testing] ${started} ready in ${startupMs} ms (${plane.server})\n`);

  let stopped: Promise<void> | undefined;
  return {
    server: plane.server,
    nodeServer: plane.nodeServer,
    kubeconfig: plane.kubeconfig,
    kubeconfigPath: plane.kubeconfigPath,
    kubeConfig(): KubeConfig {
      const kc = new KubeConfig();
      kc.loadFromString(plane.kubeconfig);
      return kc;
    },
    dir,
    pki: plane.pki,
    ports: reservation.ports,
    pids: () => new Map([...plane.processes].map(([name, proc]: [string, ManagedProcess]) => [name, proc.pid])),
    startupMs,
    logs: () => componentLogs(plane.logFiles),
    restartAPIServer: () => plane.restartAPIServer(),
    stop(): Promise<void> {
      stopped ??= (async () => {
        try {
          await plane.stop();
        } finally {
          running.delete(plane);
          reservation.release();
          rmSync(dir, { recursive: true, force: true });
        }
      })();
      return stopped;
    },
  };
}
