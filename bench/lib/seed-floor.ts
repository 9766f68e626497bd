// The floor of create-ready on a real seed: the very objects the seed
// driver applies for a Cluster with every default (rendered by
// renderSeedControlPlane from the plan the operator would build, PKI
// included), applied as plain manifests with the pinned kubectl into a
// namespace of their own, and waited on as a script would: every pod Ready,
// then the kube-apiserver's /readyz answering at its NodePort.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { apiVersion, type Cluster } from "@seedbed/api";
import { binaryPath } from "@seedbed/binaries";
import { firstServiceIP, pkiFileContents, probe, renderSeedControlPlane, seedNamespace, seedServiceNames, type ControlPlanePlan, type ProbeTLS, type SeedRenderOptions } from "@seedbed/controlplane";
import { createClusterPKI, validityOf } from "@seedbed/pki";
import { stringify } from "yaml";
import { resolveClusterSpec } from "../../packages/operator/src/reconcilers/cluster/resolve.ts";
import { platformCertificateDefaults } from "../../packages/operator/src/reconcilers/cluster/certificates/policy.ts";
import { durationMs } from "../../packages/operator/src/reconcilers/duration.ts";
import { namespaceExists, volumesOf, waitFor } from "./real-seed-platform.ts";

/** A floor control plane rendered and written, not yet applied. */
export interface PreparedFloor {
  readonly clusterId: string;
  readonly namespace: string;
  /** The multi-document YAML file kubectl applies. */
  readonly manifestFile: string;
  /** Pods the rendering runs: etcd members, API servers, one controller manager and one scheduler. */
  readonly expectedPods: number;
  /** The cluster CA and admin client certificate, for /readyz at the NodePort. */
  readonly adminTLS: ProbeTLS;
}

/** What the floor needs of the seed. */
export interface FloorSeed {
  readonly kubeConfig: KubeConfig;
  readonly kubeconfigPath: string;
  /** The addresses a NodePort is published at (the nodes' InternalIPs): on the API server's certificate, as the driver asks. */
  readonly nodeAddresses: readonly string[];
  readonly images: SeedRenderOptions;
}

/**
 * Renders the control plane of Cluster `<project>/<name>` with every
 * default, as the operator would for its first pass: the spec resolved by
 * the operator's own resolveClusterSpec, a new PKI naming the in-seed
 * Services and the nodes' addresses, the same image options.
 */
export async function prepareFloor(seed: FloorSeed, project: string, name: string, dir: string): Promise<PreparedFloor> {
  const clusterId = `${project}--${name}`;
  const cluster: Cluster = { apiVersion, kind: "Cluster", metadata: { name, namespace: `project-${project}` }, spec: { paused: false } };
  const effective = resolveClusterSpec(cluster, undefined);
  const names = seedServiceNames(clusterId);
  const pki = pkiFileContents(
    await createClusterPKI({
      clusterName: `project-${project}/${name}`,
      kubernetesServiceIP: firstServiceIP(effective.network.serviceCIDR),
      dnsDomain: effective.network.dnsDomain,
      apiServerAltNames: [...names.apiServer, ...seed.nodeAddresses, `kubernetes.default.svc.${effective.network.dnsDomain}`],
      etcdAltNames: names.etcd,
      leafValidity: validityOf(durationMs(platformCertificateDefaults.leafValidity ?? "8760h")),
    }),
  );
  const plan: ControlPlanePlan = {
    clusterId,
    version: effective.version,
    network: effective.network,
    pki,
    controlPlane: { apiServerReplicas: effective.controlPlaneReplicas, etcdMembers: effective.etcdMembers, etcdStorage: effective.etcdStorage },
    exposure: effective.exposure,
    kwok: false,
  };
  const manifestFile = join(dir, `${clusterId}.yaml`);
  writeFileSync(manifestFile, renderSeedControlPlane(plan, seed.images).map((o) => stringify(o)).join("---\n"), { mode: 0o600 });
  return {
    clusterId,
    namespace: seedNamespace(clusterId),
    manifestFile,
    expectedPods: effective.etcdMembers + effective.controlPlaneReplicas + 2,
    adminTLS: { ca: pki.get("ca.crt"), cert: pki.get("admin.crt"), key: pki.get("admin.key") },
  };
}

/** Runs the pinned kubectl against the seed; rejects with its output when it fails. */
export function kubectl(kubeconfigPath: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binaryPath("kubectl"), ["--kubeconfig", kubeconfigPath, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`kubectl ${args.join(" ")} failed (${String(code)}):\n${output}`))));
  });
}

/** Ready condition of a pod. */
export const podReady = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/**
 * Times the floor: `kubectl apply -f` of the rendered objects, then polls
 * until every expected pod is Ready and /readyz answers 200 at
 * https://<node>:<NodePort>. Returns the milliseconds from the apply, and
 * how often containers had restarted by then (a kube-apiserver that starts
 * before etcd answers exits and is restarted after a back-off).
 */
export async function runFloor(seed: FloorSeed, floor: PreparedFloor, options: { pollMs: number; timeoutMs: number }): Promise<{ ms: number; restarts: number }> {
  const core = seed.kubeConfig.makeApiClient(CoreV1Api);
  const began = performance.now();
  await kubectl(seed.kubeconfigPath, "apply", "-f", floor.manifestFile);
  const deadline = began + options.timeoutMs;
  let readyz: string | undefined;
  let restarts = 0;
  for (;;) {
    if (performance.now() > deadline) throw new Error(`floor ${floor.namespace}: not Ready within ${options.timeoutMs / 1000} s`);
    if (readyz === undefined) {
      const pods = (await core.listNamespacedPod({ namespace: floor.namespace })).items;
      if (pods.length >= floor.expectedPods && pods.every(podReady)) {
        restarts = restartsOf(pods);
        const nodePort = (await core.readNamespacedService({ namespace: floor.namespace, name: "kube-apiserver" })).spec?.ports?.[0]?.nodePort;
        readyz = `https://${seed.nodeAddresses[0] ?? ""}:${String(nodePort)}/readyz`;
      }
    }
    if (readyz !== undefined && (await probe(readyz, floor.adminTLS, 1000)) === 200) return { ms: performance.now() - began, restarts };
    await sleep(options.pollMs);
  }
}

/** Container restarts of some pods, summed. */
export const restartsOf = (pods: readonly V1Pod[]): number => pods.reduce((sum, p) => sum + (p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0), 0);

/** Deletes the floor's namespace and waits until it and its volumes are gone, so the next run starts from the same seed. */
export async function deleteFloor(seed: FloorSeed, floor: PreparedFloor, timeoutMs = 180_000): Promise<void> {
  const core = seed.kubeConfig.makeApiClient(CoreV1Api);
  await kubectl(seed.kubeconfigPath, "delete", "namespace", floor.namespace, "--ignore-not-found", "--wait=false");
  await waitFor(async () => !(await namespaceExists(core, floor.namespace)) && (await volumesOf(core, floor.namespace)) === 0, timeoutMs, `floor namespace ${floor.namespace} gone`);
}

/**
 * The pod templates (and etcd's claim template) of a cluster's workloads as
 * the seed stores them, with the cluster id replaced by a placeholder and
 * the checksum annotations left out: equal for two clusters exactly when
 * they run the same pods.
 */
export async function podTemplates(kubeConfig: KubeConfig, clusterId: string): Promise<Map<string, unknown>> {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const namespace = seedNamespace(clusterId);
  const normalize = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null).replaceAll(clusterId, "<id>")) as unknown;
  const templates = new Map<string, unknown>();
  for (const d of (await apps.listNamespacedDeployment({ namespace })).items) templates.set(`Deployment/${d.metadata?.name ?? ""}`, normalize({ replicas: d.spec?.replicas, pod: d.spec?.template.spec }));
  for (const s of (await apps.listNamespacedStatefulSet({ namespace })).items) {
    templates.set(`StatefulSet/${s.metadata?.name ?? ""}`, normalize({ replicas: s.spec?.replicas, pod: s.spec?.template.spec, claims: s.spec?.volumeClaimTemplates?.map((c) => c.spec) }));
  }
  return templates;
}

/** Where two sets of pod templates differ: "<workload> <path>", empty when the pods are the same. */
export function templateDifferences(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) out.push(...diffPaths(a.get(key), b.get(key), key));
  return out;
}

function diffPaths(a: unknown, b: unknown, path: string): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return [...new Set([...Object.keys(ra), ...Object.keys(rb)])].flatMap((k) => diffPaths(ra[k], rb[k], `${path}.${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
}

/** Waits until no namespace of the seed is terminating any more (a deleted run's), so runs do not overlap. */
export async function seedQuiet(kubeConfig: KubeConfig, timeoutMs = 180_000): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await waitFor(async () => !(await core.listNamespace()).items.some((n) => n.status?.phase === "Terminating"), timeoutMs, "no seed namespace terminating");
}

