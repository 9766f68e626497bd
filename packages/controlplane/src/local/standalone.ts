import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binaryPath, defaultKubernetesVersion } from "@seedbed/binaries";
import { buildKubeconfig } from "@seedbed/pki";
import { renderEtcd } from "../render/etcd.ts";
import { renderKubeAPIServer } from "../render/kube-apiserver.ts";
import { renderKubeControllerManager } from "../render/kube-controller-manager.ts";
import { renderKubeScheduler } from "../render/kube-scheduler.ts";
import { renderKwok } from "../render/kwok.ts";
import { kwokStages } from "../render/kwok-stages.ts";
import type { ProcessSpec } from "../render/process-spec.ts";
import { ensurePKIFiles, type PKIFiles } from "./pki-files.ts";
import { ManagedProcess } from "./process.ts";
import { waitForReady, type ProbeTLS } from "./readiness.ts";

/** The loopback ports of a standalone control plane. */
export interface StandalonePorts {
  readonly apiServer: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
  /** Needed when controllers run. */
  readonly controllerManager?: number;
  readonly scheduler?: number;
  /** Needed when kwok runs. */
  readonly kwok?: number;
}

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
  const kubeconfigFor = (user: string, cert: string, key: string): string =>
    buildKubeconfig({
      clusterName: "seedbed",
      server,
      certificateAuthorityPem: readFileSync(pki.caCert, "utf8"),
      userName: user,
      clientCertificatePem: readFileSync(cert, "utf8"),
      clientKeyPem: readFileSync(key, "utf8"),
    });
  const kubeconfig = kubeconfigFor("admin", pki.adminCert, pki.adminKey);
  const kubeconfigPath = writePrivate(join(dir, "admin.kubeconfig"), kubeconfig);
  const adminTLS: ProbeTLS = { ca: readFileSync(pki.caCert, "utf8"), cert: readFileSync(pki.adminCert, "utf8"), key: readFileSync(pki.adminKey, "utf8") };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;

  const processes = new Map<string, ManagedProcess>();
  const logFiles = new Map<string, string>();
  const start = async (spec: ProcessSpec): Promise<ManagedProcess> => {
    const logFile = join(logDir, `${spec.name}.log`);
    const proc = await ManagedProcess.start(spec, { logFile, cwd: dir });
    processes.set(spec.name, proc);
    logFiles.set(spec.name, logFile);
    return proc;
  };
  const stop = async (): Promise<void> => {
    for (const proc of [...processes.values()].reverse()) await proc.stop();
  };

  const apiServerSpec = renderKubeAPIServer({
    binary: binaryPath("kube-apiserver", { kubernetesVersion: version }),
    securePort: options.ports.apiServer,
    etcdServers: [`https://127.0.0.1:${options.ports.etcdClient}`],
    serviceClusterIPRange: serviceCIDR,
    certDir: join(dir, "pki"),
    pki: {
      clientCAFile: pki.caCert,
      tlsCertFile: pki.apiServerCert,
      tlsKeyFile: pki.apiServerKey,
      etcdCAFile: pki.etcdCACert,
      etcdCertFile: pki.apiServerEtcdClientCert,
      etcdKeyFile: pki.apiServerEtcdClientKey,
      serviceAccountKeyFile: pki.serviceAccountPublicKey,
      serviceAccountSigningKeyFile: pki.serviceAccountKey,
    },
    extraFlags: options.apiServerExtraFlags,
  });
  const startAPIServer = async (): Promise<void> => {
    const proc = await start(apiServerSpec);
    await waitForReady({ url: `${server}/readyz`, tls: adminTLS, process: proc, timeoutMs });
  };

  try {
    // etcd and kube-apiserver start together: the apiserver retries until
    // etcd answers, which saves the time etcd takes to come up.
    await start(
      renderEtcd({
        binary: binaryPath("etcd"),
        dataDir: join(dir, "etcd"),
        clientPort: options.ports.etcdClient,
        peerPort: options.ports.etcdPeer,
        pki: {
          caFile: pki.etcdCACert,
          serverCertFile: pki.etcdServerCert,
          serverKeyFile: pki.etcdServerKey,
          peerCertFile: pki.etcdPeerCert,
          peerKeyFile: pki.etcdPeerKey,
        },
        unsafeNoFsync: options.unsafeNoFsync,
      }),
    );
    await startAPIServer();
    const waits: Promise<void>[] = [];
    if (options.controllerManager === true) {
      const cmPort = required(options.ports.controllerManager, "ports.controllerManager");
      const cm = await start(
        renderKubeControllerManager({
          binary: binaryPath("kube-controller-manager", { kubernetesVersion: version }),
          kubeconfigFile: writePrivate(join(dir, "controller-manager.kubeconfig"), kubeconfigFor("system:kube-controller-manager", pki.controllerManagerCert, pki.controllerManagerKey)),
          securePort: cmPort,
          certDir: join(dir, "controller-manager"),
          clusterCACertFile: pki.caCert,
          clusterCAKeyFile: pki.caKey,
          serviceAccountPrivateKeyFile: pki.serviceAccountKey,
          serviceClusterIPRange: serviceCIDR,
          leaderElect: false,
        }),
      );
      // It serves a self-signed certificate; /healthz is open to anyone.
      waits.push(waitForReady({ url: `https://127.0.0.1:${cmPort}/healthz`, tls: { insecureSkipVerify: true }, process: cm, timeoutMs }));
    }
    if (options.scheduler === true) {
      const schedPort = required(options.ports.scheduler, "ports.scheduler");
      const sched = await start(
        renderKubeScheduler({
          binary: binaryPath("kube-scheduler", { kubernetesVersion: version }),
          kubeconfigFile: writePrivate(join(dir, "scheduler.kubeconfig"), kubeconfigFor("system:kube-scheduler", pki.schedulerCert, pki.schedulerKey)),
          securePort: schedPort,
          certDir: join(dir, "scheduler"),
          leaderElect: false,
        }),
      );
      waits.push(waitForReady({ url: `https://127.0.0.1:${schedPort}/healthz`, tls: { insecureSkipVerify: true }, process: sched, timeoutMs }));
    }
    if (options.kwok === true) {
      const kwokPort = required(options.ports.kwok, "ports.kwok");
      const workDir = join(dir, "kwok");
      mkdirSync(workDir, { recursive: true, mode: 0o700 });
      const stagesFile = writePrivate(join(workDir, "stages.yaml"), kwokStages);
      const kwok = await start(renderKwok({ binary: binaryPath("kwok"), kubeconfigFile: kubeconfigPath, serverPort: kwokPort, workDir, stagesFile }));
      waits.push(waitForReady({ url: `http://127.0.0.1:${kwokPort}/healthz`, tls: {}, process: kwok, timeoutMs }));
    }
    await Promise.all(waits);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    dir,
    server,
    kubeconfig,
    kubeconfigPath,
    pki,
    processes,
    logFiles,
    async restartAPIServer(): Promise<void> {
      await processes.get("kube-apiserver")?.stop();
      await startAPIServer();
    },
    stop,
  };
}

function writePrivate(path: string, content: string): string {
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`${name} is required for this component`);
  return value;
}

/** The kubernetes Service's IP: the first address of the service CIDR. */
export function firstServiceIP(cidr: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  if (octets.length !== 4 || octets.some((o) => o > 255) || prefix < 1 || prefix > 30) {
    throw new Error(`serviceClusterIPRange "${cidr}" is not an IPv4 CIDR with a prefix of /1 to /30, such as 10.96.0.0/12`);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const network = address - (address % 2 ** (32 - prefix));
  const first = network + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
}
