import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type EtcdBackup } from "@seedbed/api";
import { startEmbeddedS3, type EmbeddedS3 } from "@seedbed/backup";
import { seedNamespace } from "@seedbed/controlplane";
import { localRegistry } from "@seedbed/node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clientLoop } from "./client-loop.ts";
import { getJSON, tenantKubeConfig } from "./local-platform.ts";
import { startRealSeedOperator, type RealSeedOperator } from "./real-seed-platform.ts";
import { configMapWatcher, configMapWriter, kubectlLoop } from "./tenant-traffic.ts";

const namespace = "project-roll";
const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
/** The tenant namespace the writer fills and the watcher follows. */
const traffic = "traffic";

/** A pod's image and whether it is on its way out. */
const podState = (pod: V1Pod): string => `${pod.spec?.containers[0]?.image ?? "?"}${pod.metadata?.deletionTimestamp === undefined ? "" : " (terminating)"}`;

// Issue 16's zero downtime on a real seed: a cluster with two API servers
// (real pods behind a NodePort Service, kube-proxy in front) upgraded from
// the older offered minor to the newer while users keep using it — HTTP
// requests on new connections, kubectl runs, writes, and a watch that
// resumes as an informer does. Not one of them may fail, and the watch
// must see every write.
describe("upgrading a cluster on a real seed", () => {
  const api = useKubeAPI({ controllers: true });
  const dir = mkdtempSync(join(tmpdir(), "seedbed-seed-upgrade-"));
  let platform: RealSeedOperator | undefined;
  let s3: EmbeddedS3 | undefined;
  let objects: CustomObjectsApi;
  let tenant: KubeConfig;
  const read = async <T>(plural: string, name: string): Promise<T> => (await objects.getNamespacedCustomObject({ ...group, plural, name })) as T;
  const kubeletVersions = async (): Promise<string[]> => (await tenant.makeApiClient(CoreV1Api).listNode()).items.map((n) => n.status?.nodeInfo?.kubeletVersion ?? "?").sort();

  beforeAll(async () => {
    s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
    const kc = api().kubeConfig();
    const began = performance.now();
    platform = await startRealSeedOperator(kc, namespace, dir, ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"], { backupStore: { location: s3.location, credentials: s3.credentials } });
    process.stderr.write(`[seed-upgrade] real seed with the images of ${["1.36", "1.37"].join(" and ")} and the operator up in ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
    objects = kc.makeApiClient(CustomObjectsApi);
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "roll", namespace }, spec: { version: "1.36", controlPlane: { replicas: 2 } } } });
    await eventually(() => read<Cluster>("clusters", "roll"), (c) => c.status?.phase === "Running", { timeoutMs: 240_000, description: "cluster roll Running at 1.36 on the real seed" });
    tenant = await tenantKubeConfig(kc.makeApiClient(CoreV1Api), namespace, "roll");
    await objects.createNamespacedCustomObject({ ...group, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "workers", namespace }, spec: { clusterName: "roll", replicas: 2 } } });
    await eventually(kubeletVersions, (v) => v.length === 2 && v.every((x) => x === "v1.36.3"), { timeoutMs: 180_000, description: "two kwok Nodes at v1.36.3" });
  }, 600_000);
  afterAll(async () => {
    await platform?.stop();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      process.stderr.write(`\n[real-seed] logs:\n${platform?.logTails() ?? ""}\n`);
    });
  });

  it("rolls the two API servers one at a time from 1.36 to 1.37 with no failed request, kubectl run or write, and a watch that misses nothing", async () => {
    const seedCore = (platform as RealSeedOperator).seed.kubeConfig().makeApiClient(CoreV1Api);
    const core = tenant.makeApiClient(CoreV1Api);
    const clusterId = (await read<Cluster>("clusters", "roll")).status?.clusterID ?? "?";
    const pods = async (component: string): Promise<V1Pod[]> => (await seedCore.listNamespacedPod({ namespace: seedNamespace(clusterId), labelSelector: `seedbed.dev/component=${component}` })).items;
    const apiServerImage = (version: string): string => `${localRegistry}/kube-apiserver:v${version}`;
    expect((await pods("kube-apiserver")).map(podState)).toEqual([apiServerImage("1.36.3"), apiServerImage("1.36.3")]);
    expect((await getJSON<{ gitVersion: string }>(tenant, "/version")).gitVersion).toBe("v1.36.3");

    // Every client starts before the version changes.
    await core.createNamespace({ body: { metadata: { name: traffic } } });
    const kubeconfigFile = join(dir, "tenant.kubeconfig");
    writeFileSync(kubeconfigFile, tenant.exportConfig(), { mode: 0o600 });
    const listed = await core.listNamespacedConfigMap({ namespace: traffic });
    const watcher = configMapWatcher(tenant, traffic, listed.metadata?.resourceVersion ?? "0");
    const requests = clientLoop(tenant);
    const kubectl = kubectlLoop(kubeconfigFile, join(dir, "kubectl-cache"));
    const writer = configMapWriter(tenant, traffic);
    // The steps as status shows them, and when each was first seen.
    const steps: { step: string; at: number }[] = [];
    const apiServerPods: string[] = [];
    const observe = { running: true };
    const observer = (async () => {
      while (observe.running) {
        const upgrade = (await read<Cluster>("clusters", "roll").catch(() => undefined))?.status?.upgrade;
        const step = upgrade === undefined ? undefined : `${upgrade.phase}/${upgrade.step}`;
        if (step !== undefined && steps.at(-1)?.step !== step) steps.push({ step, at: performance.now() });
        const now = (await pods("kube-apiserver").catch(() => [])).map(podState).sort().join(", ");
        if (now !== "" && apiServerPods.at(-1) !== now) apiServerPods.push(now);
        await sleep(50);
      }
    })();
    await sleep(3000);

    await objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name: "roll", body: { spec: { version: "1.37" } } }, mergePatch);
    const done = await eventually(() => read<Cluster>("clusters", "roll"), (c) => c.status?.upgrade?.phase === "Completed" || c.status?.upgrade?.phase === "Failed", { timeoutMs: 420_000, description: "the upgrade settled" });
    // Until the old API servers are gone, then past their shutdown delay: every pod change happened under the loops.
    await eventually(() => pods("kube-apiserver"), (p) => p.map(podState).join() === [apiServerImage("1.37.1"), apiServerImage("1.37.1")].join(), { timeoutMs: 120_000, description: "two kube-apiserver pods at 1.37.1, no old one left" });
    await sleep(8000);
    const [requested, ran, wrote] = [await requests.stop(), await kubectl.stop(), await writer.stop()];
    // The last write's event has time to arrive.
    await sleep(2000);
    const watched = await watcher.stop();
    observe.running = false;
    await observer;

    const at = (step: string): number => steps.find((s) => s.step === step)?.at ?? Number.NaN;
    const seconds = (ms: number): string => (ms / 1000).toFixed(1);
    process.stderr.write(
      [
        `[seed-upgrade] steps: ${steps.map((s) => s.step).join(" → ")}`,
        `[seed-upgrade] upgrade ${seconds(at("Completed/Done") - at("Upgrading/Snapshot"))} s; API server roll (step APIServer) ${seconds(at("Upgrading/Controllers") - at("Upgrading/APIServer"))} s; controllers ${seconds(at("Upgrading/NodePools") - at("Upgrading/Controllers"))} s; node pools ${seconds(at("Completed/Done") - at("Upgrading/NodePools"))} s`,
        `[seed-upgrade] kube-apiserver pods: ${apiServerPods.join(" | ")}`,
        `[seed-upgrade] requests ok ${requested.ok} failed ${requested.failures.length}; kubectl ok ${ran.ok} failed ${ran.failures.length}; writes ok ${wrote.created.length} failed ${wrote.failures.length}; watch ADDED ${watched.added.length}, resumed ${watched.resumes} times, 410 ${watched.gone.length}, start failures ${watched.startFailures.length}`,
        ...[...requested.failures, ...ran.failures, ...wrote.failures, ...watched.startFailures, ...watched.gone, ...watched.endings].map((f) => `[seed-upgrade]   ${f}`),
        "",
      ].join("\n"),
    );

    expect(done.status?.upgrade?.phase, done.status?.upgrade?.message).toBe("Completed");
    expect(requested.failures).toEqual([]);
    expect(ran.failures).toEqual([]);
    expect(wrote.failures).toEqual([]);
    expect(watched.startFailures).toEqual([]);
    expect(watched.gone).toEqual([]);
    // The loops really ran through the roll.
    expect(requested.ok).toBeGreaterThan(100);
    expect(ran.ok).toBeGreaterThan(20);
    expect(wrote.created.length).toBeGreaterThan(100);
    // The watch ended with the old API servers and was resumed, yet saw every write once, in resourceVersion order.
    expect(watched.resumes).toBeGreaterThan(0);
    // (kube-root-ca.crt, which kube-controller-manager puts in every namespace, is not the writer's.)
    const written = watched.added.filter((a) => a.name.startsWith("write-"));
    expect(written.map((a) => a.name)).toEqual(wrote.created);
    const versions = written.map((a) => a.resourceVersion);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));

    // Snapshot → Etcd → APIServer → Controllers → NodePools → Done, as status showed them and as the events say.
    const order = ["Upgrading/Snapshot", "Upgrading/Etcd", "Upgrading/APIServer", "Upgrading/Controllers", "Upgrading/NodePools", "Completed/Done"];
    expect(steps.map((s) => s.step).filter((s) => order.includes(s))).toEqual(order.filter((s) => steps.some((x) => x.step === s)));
    for (const step of ["Upgrading/Snapshot", "Upgrading/APIServer", "Upgrading/Controllers", "Upgrading/NodePools", "Completed/Done"]) expect(steps.map((s) => s.step), step).toContain(step);
    const events = (await api().kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace })).items
      .filter((e) => e.involvedObject.name === "roll" && e.reason === "UpgradeStep")
      // In the order they were written (each step's Event is written once; times have a second's precision here).
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .map((e) => /^step (\w+):/.exec(e.message ?? "")?.[1]);
    expect(events).toEqual(["Etcd", "APIServer", "Controllers", "NodePools"]);
    // One replica at a time: never fewer than two serving API servers' worth of pods, never more than three.
    for (const seen of apiServerPods) expect(seen.split(", ").length, seen).toBeGreaterThanOrEqual(2);
    for (const seen of apiServerPods) expect(seen.split(", ").filter((p) => !p.endsWith("(terminating)")).length, seen).toBeLessThanOrEqual(3);

    expect(done.status?.version).toBe("1.37.1");
    expect((await pods("kube-apiserver")).map((p) => p.spec?.containers[0]?.image)).toEqual([apiServerImage("1.37.1"), apiServerImage("1.37.1")]);
    expect((await getJSON<{ gitVersion: string }>(tenant, "/version")).gitVersion).toBe("v1.37.1");
    expect(await kubeletVersions()).toEqual(["v1.37.1", "v1.37.1"]);
    const snapshot = done.status?.upgrade?.snapshot ?? "";
    expect(snapshot).not.toBe("");
    expect((await read<EtcdBackup>("etcdbackups", snapshot)).status?.phase).toBe("Completed");
  }, 720_000);
});
