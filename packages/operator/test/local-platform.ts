// What the operator tests on the local driver share: the management API
// made ready (CRDs, a project namespace, the default local Seed), an
// operator on it, and the way into a tenant cluster.
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { connect, type PeerCertificate } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, installCRDs, kubeconfigSecretKey } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { LocalMachineProvider } from "@seedbed/node";
import { systemClock, type Clock } from "@seedbed/runtime";
import { startOperator, type Operator, type OperatorOptions } from "../src/index.ts";

/** An operator hosting clusters as local processes under its own temporary state directory. */
export interface LocalOperator {
  readonly operator: Operator;
  readonly stateDir: string;
  /** Stops the operator, kills every tenant process it started and removes its state. */
  stop(): Promise<void>;
}

/**
 * Installs the CRDs, creates `namespace` and the default local Seed, and
 * starts an operator (with `options` added: `nodeAddress`, e.g.
 * machineAddress() of @seedbed/node, for tenants that local machines join).
 */
export async function startLocalOperator(kc: KubeConfig, namespace: string, options: Partial<OperatorOptions> = {}): Promise<LocalOperator> {
  await prepareManagementAPI(kc, namespace);
  const stateDir = mkdtempSync(join(tmpdir(), "seedbed-operator-"));
  const operator = await startOperator({ kubeConfig: kc, stateDir, unsafeNoFsync: true, ...options });
  return {
    operator,
    stateDir,
    async stop() {
      await operator.stop();
      // Local machines outlive an operator, as cloud machines do: these go with the platform.
      await new LocalMachineProvider(join(stateDir, "machines")).deleteAll();
      for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) process.kill(pid, "SIGKILL");
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Installs the CRDs, creates `namespace` and the default local Seed: what an operator on the local driver needs. */
export async function prepareManagementAPI(kc: KubeConfig, namespace: string): Promise<void> {
  await installCRDs(kc);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "local" }, spec: { driver: "local", default: true } } });
}

/** A client configuration for a cluster's own API, from its admin kubeconfig Secret. */
export async function tenantKubeConfig(core: CoreV1Api, namespace: string, cluster: string): Promise<KubeConfig> {
  const secret = await core.readNamespacedSecret({ namespace, name: clusterObjectNames.adminKubeconfigSecret(cluster) });
  const kc = new KubeConfig();
  kc.loadFromString(Buffer.from(secret.data?.[kubeconfigSecretKey] ?? "", "base64").toString());
  return kc;
}

/** The real clock moved by `offsetMs`, which a test changes to have the operator act as at another time. */
export interface ShiftedClock extends Clock {
  offsetMs: number;
}

/** A clock that shows the real time until a test shifts it; timers run in real time. */
export function shiftedClock(): ShiftedClock {
  const clock: ShiftedClock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs, setTimeout: (callback, delayMs) => systemClock.setTimeout(callback, delayMs) };
  return clock;
}

/** The certificate a TLS server presents. */
export function servedCertificate(endpoint: string): Promise<PeerCertificate> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.once("error", reject);
  });
}

/** GET `path` from the API server of `kc` as text (for /metrics, which is no JSON). */
export async function getText(kc: KubeConfig, path: string): Promise<string> {
  const options = {};
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(`${kc.getCurrentCluster()?.server ?? ""}${path}`, options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`GET ${path}: ${res.statusCode ?? 0} ${text}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

/** GET a path of an API server as its admin, parsed. */
export async function getJSON<T>(kc: KubeConfig, path: string): Promise<T> {
  return JSON.parse(await getText(kc, path)) as T;
}

/** The credentials the local EC2 (FakeEc2) checks request signatures with: AWS's documented example keys. */
export const awsTestSigner = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "eu-central-1" };

/** The spec of an aws NodePool whose credentials are the Secret aws-credentials (key credentials); auto-healing off. */
export function awsPoolSpec(cluster: string, replicas: number): object {
  return {
    clusterName: cluster,
    replicas,
    autoHealing: { enabled: false },
    provider: { type: "aws", credentialsSecretRef: { name: "aws-credentials", key: "credentials" }, aws: { region: "eu-central-1", instanceType: "m6i.large", ami: "ami-0abcdef1234567890", subnetID: "subnet-0123456789abcdef0" } },
  };
}
