// A control plane started the way a plain script would start it: the
// processes the renderer gives for the local driver (same binaries, same
// flags), spawned directly, with no operator, no supervisor and no status.
// The create-ready benchmark times it as the floor; the density benchmark
// runs it to compare settings side by side.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { defaultKubernetesVersion } from "@seedbed/binaries";
import {
  authenticationConfigFile,
  ensurePKIFiles,
  firstServiceIP,
  ManagedProcess,
  pkiFileNames,
  probe,
  renderControlPlane,
  reservePorts,
  type ControlPlaneRenderInput,
  type ProbeTLS,
  type ProcessSpec,
  type RenderedComponent,
} from "@seedbed/controlplane";
import { writeLocalLayout } from "../../packages/controlplane/src/local/layout.ts";

/** What decides the processes of a plain control plane. */
export interface PlainPlaneOptions {
  /** Holds pki/, etcd/, logs/; removed by stop(). */
  readonly dir: string;
  /** The cluster's service and pod ranges (the Cluster defaults unless told). */
  readonly serviceCIDR?: string;
  readonly podCIDR?: string;
  /** Start kube-controller-manager and kube-scheduler too (a whole tenant), or only etcd and kube-apiserver (the floor). */
  readonly controllers: boolean;
  /** The kube-apiserver's AuthenticationConfiguration, as the platform gives its tenants. */
  readonly authenticationConfig?: string;
  /** Skip etcd's fsync (the local driver does only on throw-away platforms). */
  readonly unsafeNoFsync?: boolean;
  /** Extra render input (e.g. a tuning profile), merged over what the local driver passes. */
  readonly render?: Partial<Omit<ControlPlaneRenderInput, "layout" | "ports" | "components" | "serviceCIDR">>;
  /** Changes a rendered process before it starts: how a benchmark variant tries one setting. */
  readonly adjust?: (spec: ProcessSpec) => ProcessSpec;
}

/** A plain control plane whose files are written and ports reserved, not yet started. */
export interface PreparedPlane {
  readonly components: readonly RenderedComponent[];
  /** Admin TLS material for /readyz. */
  readonly adminTLS: ProbeTLS;
  /** https://127.0.0.1:port/readyz of its kube-apiserver. */
  readonly readyzURL: string;
  /** Spawns every process; resolves once all are spawned (the controllers once the API is ready; none need be ready). */
  start(): Promise<void>;
  /** Pids of the running processes, by component name. */
  pids(): ReadonlyMap<string, number>;
  /** Kills every process, releases the ports and removes the directory. */
  stop(): Promise<void>;
}

/**
 * Writes a plain control plane's certificates and files and reserves its
 * ports — the parts outside the timed start — and renders its processes
 * with the same renderer and input the local hosting driver uses.
 */
export async function preparePlainPlane(options: PlainPlaneOptions): Promise<PreparedPlane> {
  const { dir } = options;
  const serviceCIDR = options.serviceCIDR ?? "10.96.0.0/12";
  mkdirSync(join(dir, "logs"), { recursive: true, mode: 0o700 });
  const pkiDir = join(dir, "pki");
  await ensurePKIFiles(pkiDir, { clusterName: "bench", kubernetesServiceIP: firstServiceIP(serviceCIDR) });
  const reservation = await reservePorts(options.controllers ? 5 : 3);
  const [apiServer = 0, etcdClient = 0, etcdPeer = 0, controllerManager, scheduler] = reservation.ports;
  const server = `https://127.0.0.1:${apiServer}`;
  const files = new Map(pkiFileNames.map((file): [string, string] => [file, readFileSync(join(pkiDir, file), "utf8")]));
  if (options.authenticationConfig !== undefined) files.set(authenticationConfigFile, options.authenticationConfig);
  const { layout, adminTLS } = writeLocalLayout({ dir, clusterName: "bench", server, pki: files, version: defaultKubernetesVersion, kwok: false });
  // The input LocalDriver.apply renders from (packages/controlplane/src/local/driver.ts).
  const authentication: Record<string, string> = options.authenticationConfig === undefined ? {} : { "authentication-config": join(pkiDir, authenticationConfigFile) };
  const components = renderControlPlane({
    layout,
    ports: { apiServer, etcdClient, etcdPeer, controllerManager, scheduler },
    serviceCIDR,
    // The Cluster defaults (packages/operator/src/reconcilers/cluster/resolve.ts).
    podCIDR: options.podCIDR ?? "10.244.0.0/16",
    dnsDomain: "cluster.local",
    smallCluster: true,
    components: { controllerManager: options.controllers, scheduler: options.controllers, kwok: false },
    unsafeNoFsync: options.unsafeNoFsync,
    ...options.render,
    apiServerExtraFlags: { ...options.render?.apiServerExtraFlags, ...authentication },
  });
  const running = new Map<string, ManagedProcess>();
  return {
    components,
    adminTLS,
    readyzURL: `${server}/readyz`,
    async start(): Promise<void> {
      const launch = async (component: RenderedComponent): Promise<void> => {
        const spec = options.adjust ? options.adjust(component.spec) : component.spec;
        running.set(spec.name, await ManagedProcess.start(spec, { logFile: join(dir, "logs", `${spec.name}.log`), cwd: dir }));
      };
      const [etcd, apiServer, ...controllers] = components;
      if (etcd) await launch(etcd);
      if (apiServer) await launch(apiServer);
      if (controllers.length === 0) return;
      // kube-controller-manager exits when it starts before the API server
      // has made its RBAC roles: start the controllers once it is ready.
      await pollUntilOK(`${server}/readyz`, adminTLS, { intervalMs: 50, timeoutMs: 120_000 });
      for (const component of controllers) await launch(component);
    },
    pids: () => new Map([...running].map(([name, proc]) => [name, proc.pid])),
    async stop(): Promise<void> {
      await Promise.all([...running.values()].map((proc) => proc.stop(2000)));
      running.clear();
      reservation.release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls a health URL until it answers 200; resolves with the milliseconds it took, or throws after `timeoutMs`. */
export async function pollUntilOK(url: string, tls: ProbeTLS, options: { intervalMs: number; timeoutMs: number }): Promise<number> {
  const began = performance.now();
  for (;;) {
    if ((await probe(url, tls, 1000)) === 200) return performance.now() - began;
    if (performance.now() - began > options.timeoutMs) throw new Error(`${url} was not ready within ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
