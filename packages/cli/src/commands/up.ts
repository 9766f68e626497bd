import { copyFileSync, mkdirSync, readFileSync, symlinkSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startEmbeddedS3, type EmbeddedS3 } from "@seedbed/backup";
import { startOperator, type Operator } from "@seedbed/operator";
import type { DevIssuer } from "@seedbed/identity";
import { createLogger, ObjectClient } from "@seedbed/runtime";
import pino from "pino";
import { binaryPath } from "@seedbed/binaries";
import { renderAuthenticationConfiguration, startStandaloneControlPlane, type StandaloneControlPlane } from "@seedbed/controlplane";
import { managementKubeconfigPath, seedbedHome } from "../home.ts";
import { bootstrapManagementAPI } from "../up/bootstrap.ts";
import { claimPidFile } from "../up/pidfile.ts";
import { upBanner } from "../up/banner.ts";
import { startPlatformIdentity, type PlatformIdentity } from "../up/identity.ts";
import { managementPorts, servicePorts } from "../up/ports.ts";
import { writePlatformFile } from "../up/platform-file.ts";
import { applyFrontendRBAC, frontendKubeConfig } from "../up/service-identity.ts";
import { dashboardBuilt, dashboardDistDir } from "@seedbed/dashboard";
import { fileLogger, localSharedDomain, startFrontServices, type FrontServices } from "../up/services.ts";
import { tokenPlugin } from "../credentials.ts";
import { demoteUpSeed, startUpSeed } from "../up/real-seed.ts";
import { localRegistry, machineAddress, type RealSeed } from "@seedbed/node";
import { upNodeAddress } from "../up/node-address.ts";

/** Where `seedbed up` reports to; a stream so tests and scripts can read it. */
export interface UpOptions {
  readonly out?: NodeJS.WritableStream;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Where tenant control planes run by default: `local` processes, or
   * `kubernetes`: real pods in a one-node Kubernetes seed this command runs
   * on this machine (root only).
   */
  readonly seed?: "local" | "kubernetes";
  /**
   * Whether local tenants' API servers also listen on this machine's
   * address, so that local machines can join them (default true; only as
   * root, see upNodeAddress).
   */
  readonly nodeAddress?: boolean;
  /**
   * The registry mirror of add-on images (default: the local registry, the
   * names under which local machines import the images built here: CoreDNS
   * among them, so a new cluster's pods resolve names on real machines).
   */
  readonly addonImageRegistry?: string;
}

/**
 * Starts the platform in the foreground: the management etcd,
 * kube-apiserver and kube-controller-manager as local processes under
 * $SEEDBED_HOME, the CRDs, the default project and local Seed, and every
 * controller in this process (with seed "kubernetes" also a one-node real
 * seed, the default Seed). SIGINT or SIGTERM stops every child (tenant
 * control planes included); running it again brings every cluster back.
 */
export async function up(options: UpOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const home = seedbedHome(options.env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const releasePidFile = claimPidFile(home);
  const began = performance.now();
  let plane: StandaloneControlPlane;
  let identity: PlatformIdentity;
  const ports = await servicePorts(home);
  try {
    // The issuer first: the API server fetches its keys at start (and only
    // retries every 10 s), so tokens work from the first request.
    identity = await startPlatformIdentity(home, ports.issuer, options.env ?? process.env);
  } catch (error) {
    releasePidFile();
    throw error;
  }
  const login = identity.login;
  try {
    plane = await startStandaloneControlPlane({
      dir: join(home, "management"),
      ports: await managementPorts(home, options.env),
      controllerManager: true,
      authenticationConfig: renderAuthenticationConfiguration({ issuers: [login] }),
      // Every caller of the management API is someone: no token is a 401, not a request as system:anonymous.
      apiServerExtraFlags: { "anonymous-auth": false },
      // Restarted when they crash; adopted, not started twice, after
      // `seedbed up` itself was killed.
      supervise: { markerPrefix: `seedbed:${home}/management` },
    });
  } catch (error) {
    await identity.stop();
    releasePidFile();
    throw error;
  }
  const kubeconfig = managementKubeconfigPath(home);
  copyFileSync(plane.kubeconfigPath, kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  let operator: Operator | undefined;
  let backups: EmbeddedS3 | undefined;
  let front: FrontServices;
  let realSeed: RealSeed | undefined;
  const seedKind = options.seed ?? "local";
  const managementCA = readFileSync(plane.pki.caCert, "utf8");
  try {
    await bootstrapManagementAPI(kc, { projects: identity.devIssuer ? devProjects(identity.devIssuer) : [], localSeedIsDefault: seedKind === "local" });
    if (seedKind === "kubernetes") {
      out.write("Starting the real seed (containerd, kubelet and kube-proxy in a network namespace, CoreDNS, local volumes)…\n");
      realSeed = await startUpSeed(home, kc);
    } else {
      await demoteUpSeed(kc);
    }
    await applyFrontendRBAC(ObjectClient.fromKubeConfig(kc));
    // Every controller in this process; their logs go to a file, the terminal stays readable.
    const logFile = join(home, "logs", "operator.log");
    mkdirSync(dirname(logFile), { recursive: true });
    // The local Seed hosts tenants with either default seed; real machines can join them at this address.
    const node = upNodeAddress({ enabled: options.nodeAddress ?? true, root: process.getuid?.() === 0, find: machineAddress });
    if (node.note !== undefined) out.write(node.note);
    // The default store of etcd snapshots: a real S3 server on loopback, its data under the state directory.
    backups = await startEmbeddedS3({ dataDir: join(home, "s3") });
    out.write(`Backups go to the embedded S3 store at ${backups.location.endpoint} (bucket ${backups.location.bucket}, data in ${join(home, "s3")}).\n`);
    operator = await startOperator({
      kubeConfig: kc,
      stateDir: home,
      backupStore: { location: backups.location, credentials: backups.credentials },
      logger: createLogger({ destination: pino.destination({ dest: logFile, mkdir: true, sync: false }) }),
      access: { login, sharedEndpoint: { domain: localSharedDomain, port: ports.gateway } },
      ...(node.address === undefined ? {} : { nodeAddress: node.address }),
      // The real seed's node has the control-plane images imported under the local registry.
      ...(realSeed ? { controlPlaneImages: { registry: localRegistry } } : {}),
      addons: { imageRegistry: options.addonImageRegistry ?? localRegistry },
    });
    front = await startFrontServices({
      host: "127.0.0.1",
      ports,
      managementServer: plane.server,
      managementCA,
      kubeConfig: await frontendKubeConfig(home, plane.server, plane.pki.dir),
      domain: localSharedDomain,
      // Kubeconfigs run `seedbed token` of this checkout: the API serves the machine it runs on.
      plugin: tokenPlugin(),
      logger: fileLogger(home, "frontend"),
      ...(dashboardBuilt() ? { dashboard: { distDir: dashboardDistDir, issuerURL: login.issuerURL, clientID: login.clientID } } : {}),
    });
  } catch (error) {
    await stopInOrder(operator, backups, realSeed, plane, identity);
    releasePidFile();
    throw error;
  }
  writePlatformFile(home, { managementServer: plane.server, managementCA, issuerURL: login.issuerURL, ...(login.caPEM === undefined ? {} : { issuerCA: login.caPEM }), clientID: login.clientID, apiURL: front.apiURL, sharedEndpoint: { port: ports.gateway, domain: localSharedDomain } });
  const binDir = linkTools(home);
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  // Listening before the banner: whoever reads "Seedbed is up" may signal at once.
  const stopped = untilStopped(out);
  out.write(upBanner({ seconds, server: plane.server, kubeconfig, binDir, home, logDirs: [join(home, "logs"), join(plane.dir, "logs")], issuerURL: login.issuerURL, devIssuer: identity.devIssuer, apiURL: front.apiURL, gatewayPort: ports.gateway, dashboard: dashboardBuilt(), issuerCAFile: identity.devIssuer?.caFile }));

  // Adopted processes are not our children, their exit is noticed by an
  // unref'd poll, and signal handlers hold no handle: without this timer,
  // Node could find nothing left to wait for, while waiting or stopping.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const code = await stopped;
  // Controllers first, so nothing restarts what is being stopped; then
  // every cluster's processes; the management plane last.
  await front.stop();
  await stopInOrder(operator, backups, realSeed, plane, identity);
  releasePidFile();
  clearInterval(keepAlive);
  out.write("Seedbed stopped.\n");
  return code;
}

/** Stops what was started, in the order given; what never started is skipped. */
async function stopInOrder(...services: readonly ({ stop(): Promise<void> } | undefined)[]): Promise<void> {
  for (const service of services) await service?.stop();
}

/** The sample projects of the development issuer's users: a owned by alice (carol views it), b by bob. */
function devProjects(issuer: DevIssuer): { name: string; owner: string; viewers?: string[] }[] {
  const email = (username: string): string => issuer.users.find((u) => u.username === username)?.email ?? `${username}@example.com`;
  return [
    { name: "a", owner: email("alice"), viewers: [email("carol")] },
    { name: "b", owner: email("bob") },
  ];
}

/** Resolves with 0 on SIGINT or SIGTERM. */
function untilStopped(out: NodeJS.WritableStream): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      out.write(`\n${signal}: stopping every component…\n`);
      resolve(0);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
}

/** $SEEDBED_HOME/bin/kubectl → the pinned kubectl, for the commands printed above. */
function linkTools(home: string): string {
  const dir = join(home, "bin");
  mkdirSync(dir, { recursive: true });
  const link = join(dir, "kubectl");
  rmSync(link, { force: true });
  symlinkSync(binaryPath("kubectl"), link);
  return dir;
}
