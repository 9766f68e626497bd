import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { apiVersion, completeCARotationAnnotation, rotateCAAnnotation, type Cluster } from "@seedbed/api";
import { seedNamespace } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clientLoop } from "./client-loop.ts";
import { tenantKubeConfig } from "./local-platform.ts";
import { startRealSeedOperator, type RealSeedOperator } from "./real-seed-platform.ts";
import { configMapWatcher, configMapWriter, kubectlLoop } from "./tenant-traffic.ts";

const namespace = "project-rotate";
const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

// Issue 17's CA rotation on the production path: a control plane of real
// pods (three etcd members, two API servers behind a NodePort Service) on a
// real seed has every CA and its service-account key rotated while users
// keep using it. The kubeconfig handed out before the rotation serves until
// it is Prepared, the one handed out then from there to the end: no client
// may ever meet a certificate it cannot verify or a refused credential, no
// write may fail, and the watch must see every write. (etcd's members roll
// twice; their leader elections are counted apart, see below.)
describe("rotating the CAs of a cluster on a real seed", () => {
  const api = useKubeAPI({ controllers: true });
  const dir = mkdtempSync(join(tmpdir(), "seedbed-seed-rotation-"));
  let platform: RealSeedOperator | undefined;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  const read = async (): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "rot" })) as Cluster;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    // The seed's kubelet syncs pods every 10 s: a changed Secret is in the pods' files within about 15 s (20 s allowed).
    platform = await startRealSeedOperator(kc, namespace, dir, ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"], { secretPropagationMs: 20_000, tokenLifetimeMs: 5000 });
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "rot", namespace }, spec: { controlPlane: { replicas: 2, datastore: { members: 3 } }, certificates: { caRotation: { completeAfter: "1h" } } } } });
    await eventually(read, (c) => c.status?.phase === "Running", { timeoutMs: 300_000, description: "cluster rot Running on the real seed" });
  }, 600_000);
  afterAll(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      process.stderr.write(`\n[real-seed] logs:\n${platform?.logTails() ?? ""}\n`);
    });
  });

  /** Every kind of client on one kubeconfig: requests on new connections, kubectl runs, writes, and a watch. */
  const traffic = async (tenant: KubeConfig, name: string) => {
    const tcore = tenant.makeApiClient(CoreV1Api);
    await tcore.createNamespace({ body: { metadata: { name } } });
    const kubeconfigFile = join(dir, `${name}.kubeconfig`);
    writeFileSync(kubeconfigFile, tenant.exportConfig(), { mode: 0o600 });
    const listed = await tcore.listNamespacedConfigMap({ namespace: name });
    const watcher = configMapWatcher(tenant, name, listed.metadata?.resourceVersion ?? "0");
    const loops = { requests: clientLoop(tenant), kubectl: kubectlLoop(kubeconfigFile, join(dir, `${name}-cache`)), writer: configMapWriter(tenant, name) };
    return {
      async stop() {
        const [requested, ran, wrote] = [await loops.requests.stop(), await loops.kubectl.stop(), await loops.writer.stop()];
        await sleep(2000);
        const watched = await watcher.stop();
        return { requested, ran, wrote, watched };
      },
    };
  };

  it("rotates every CA and the service-account key with no certificate, credential or connection refused, no write lost, a watch that misses nothing, and at most 1 % of operations waiting out an etcd election", async () => {
    const seedCore = (platform as RealSeedOperator).seed.kubeConfig().makeApiClient(CoreV1Api);
    const clusterId = (await read()).status?.clusterID ?? "?";
    const pods = async (component: string): Promise<V1Pod[]> => (await seedCore.listNamespacedPod({ namespace: seedNamespace(clusterId), labelSelector: `seedbed.dev/component=${component}` })).items;
    const uids = async (component: string): Promise<string[]> => (await pods(component)).map((p) => p.metadata?.uid ?? "").sort();
    const [etcdBefore, apiBefore] = [await uids("etcd"), await uids("kube-apiserver")];
    expect(etcdBefore).toHaveLength(3);
    expect(apiBefore).toHaveLength(2);

    const before = await tenantKubeConfig(core, namespace, "rot");
    const first = await traffic(before, "before");
    await sleep(3000);
    const began = performance.now();
    await objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name: "rot", body: { metadata: { annotations: { [rotateCAAnnotation]: new Date().toISOString() } } } }, mergePatch);
    const prepared = await eventually(read, (c) => c.status?.certificates?.rotation?.phase === "Prepared", { timeoutMs: 600_000, description: "the rotation Prepared" });
    const preparedAt = performance.now();

    // The kubeconfig handed out now carries both CAs and a client certificate of the new one: it takes over.
    const during = await eventually(() => tenantKubeConfig(core, namespace, "rot"), (kc) => (Buffer.from(kc.getCurrentCluster()?.caData ?? "", "base64").toString().match(/BEGIN CERTIFICATE/g)?.length ?? 0) === 2, { timeoutMs: 60_000, description: "an admin kubeconfig with both CAs" });
    const second = await traffic(during, "during");
    await sleep(3000);
    const beforeSeen = await first.stop();
    await objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name: "rot", body: { metadata: { annotations: { [completeCARotationAnnotation]: prepared.status?.certificates?.rotation?.id ?? "" } } } }, mergePatch);
    const completed = await eventually(read, (c) => c.status?.certificates?.rotation?.phase === "Completed", { timeoutMs: 600_000, description: "the rotation Completed" });
    const completedAt = performance.now();
    // Past the last pod changes' shutdown delays, under the loops.
    await sleep(10_000);
    const duringSeen = await second.stop();

    const seconds = (ms: number): string => (ms / 1000).toFixed(1);
    const describe = (label: string, seen: typeof beforeSeen): string =>
      [
        `[seed-rotation] ${label}: requests ok ${seen.requested.ok} failed ${seen.requested.failures.length}; kubectl ok ${seen.ran.ok} failed ${seen.ran.failures.length}; writes ok ${seen.wrote.created.length} failed ${seen.wrote.failures.length}; watch ADDED ${seen.watched.added.length}, resumed ${seen.watched.resumes} times, 410 ${seen.watched.gone.length}, start failures ${seen.watched.startFailures.length}`,
        ...[...seen.requested.failures, ...seen.ran.failures, ...seen.wrote.failures, ...seen.watched.startFailures, ...seen.watched.gone].map((f) => `[seed-rotation]   ${f}`),
      ].join("\n");
    process.stderr.write(`[seed-rotation] Preparing → Prepared ${seconds(preparedAt - began)} s; completion ${seconds(completedAt - preparedAt)} s\n${describe("old kubeconfig until Prepared", beforeSeen)}\n${describe("new kubeconfig from Prepared", duringSeen)}\n`);

    for (const seen of [beforeSeen, duringSeen]) {
      // Never a certificate a client could not verify, a credential refused, a connection refused or an error
      // answered, never a write lost. Two things are counted apart, because the rolls of etcd's members cause
      // them, not the certificates: a request that waited past the clients' 10 s, and etcd's "no leader" while
      // the members elect a new leader (the StatefulSet restarts the leader without moving leadership away
      // first). The target is none; more than 1 % of the operations fails the test (see issue 17's note).
      // A write etcd answered "request timed out" or "no leader" (HTTP 500) during an election is counted the same way: the
      // client was told, and etcd may still have committed it, so the watch may show it though it is not among those created.
      // So is kube-apiserver's own answer when etcd did not reply in time (HTTP 504, "the server was unable to return a
      // response in the time allotted"): the API servers stay in the Service through an election (their readiness leaves
      // etcd out), so a client meets that instead of a refused connection.
      const transient = (f: string): boolean => /timed out after 10 s|context deadline exceeded|Client\.Timeout exceeded|etcdserver: no leader|etcdserver: request timed out|unable to return a response in the time allotted/.test(f);
      const failures = [...seen.requested.failures, ...seen.ran.failures, ...seen.wrote.failures, ...seen.watched.startFailures];
      expect(failures.filter((f) => !transient(f))).toEqual([]);
      expect(failures.length).toBeLessThanOrEqual(Math.ceil((seen.requested.ok + seen.ran.ok + seen.wrote.created.length) / 100));
      expect(seen.watched.gone).toEqual([]);
      expect(seen.requested.ok).toBeGreaterThan(20);
      const unsure = new Set(seen.wrote.failures.map((f) => /(write-\d+):/.exec(f)?.[1]));
      const written = seen.watched.added.filter((a) => a.name.startsWith("write-") && !unsure.has(a.name));
      // Every write that succeeded is seen by the watch, in order, and none is lost.
      expect(written.map((a) => a.name)).toEqual(seen.wrote.created);
    }
    // What rolled: etcd (its CA bundle, twice) and kube-apiserver (the etcd CA bundle and the service-account keys), every pod replaced.
    const [etcdAfter, apiAfter] = [await uids("etcd"), await uids("kube-apiserver")];
    expect(etcdAfter.filter((u) => etcdBefore.includes(u))).toEqual([]);
    expect(apiAfter.filter((u) => apiBefore.includes(u))).toEqual([]);
    expect(completed.status?.certificates?.authorities?.every((a) => a.previous === undefined)).toBe(true);
    // Running again once every member and replica is back (the last etcd member may still be rolling when the rotation completes).
    const settled = await eventually(read, (c) => c.status?.phase === "Running", { timeoutMs: 180_000, description: "the cluster Running after the rotation" });
    expect(settled.status?.certificates?.rotation?.phase).toBe("Completed");
  }, 1_500_000);
});
