import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type EtcdBackup, type NodePool } from "@seedbed/api";
import { startEmbeddedS3, type EmbeddedS3 } from "@seedbed/backup";
import { findProcessesByMarker, readCommandLine } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";
import { getJSON, prepareManagementAPI, tenantKubeConfig } from "./local-platform.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

// One cluster upgraded from the older offered minor to the newer on the
// local driver, with a kwok pool: the skew order step by step, the
// pre-upgrade snapshot, the pool's machines replaced; then rolled back with
// the snapshot; then an upgrade whose operator is killed (SIGKILL) half-way
// and resumed by the next one.
describe("upgrading a cluster", () => {
  const api = useKubeAPI({ controllers: true });
  const namespace = "project-upg";
  const dir = mkdtempSync(join(tmpdir(), "seedbed-upgrade-test-"));
  const stateDir = join(dir, "state");
  let s3: EmbeddedS3;
  let child: ChildProcess | undefined;
  let operator: Operator | undefined;
  let objects: CustomObjectsApi;
  let tenant: KubeConfig;
  const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
  const read = async <T>(plural: string, name: string): Promise<T> => (await objects.getNamespacedCustomObject({ ...group, plural, name })) as T;
  const create = (plural: string, kind: string, name: string, spec: object): Promise<unknown> => objects.createNamespacedCustomObject({ ...group, plural, body: { apiVersion, kind, metadata: { name, namespace }, spec } });
  const setVersion = (name: string, version: string): Promise<unknown> => objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name, body: { spec: { version } } }, mergePatch);
  const store = () => ({ location: s3.location, credentials: s3.credentials });
  /** Every step the cluster's status shows, in order (polled every 50 ms while `until` is pending). */
  const recordSteps = (name: string): { steps: string[]; running: string[]; stop: () => void } => {
    const seen = { steps: [] as string[], running: [] as string[], stopped: false };
    void (async () => {
      while (!seen.stopped) {
        const cluster = await read<Cluster>("clusters", name).catch(() => undefined);
        const step = cluster?.status?.upgrade === undefined ? undefined : `${cluster.status.upgrade.phase}/${cluster.status.upgrade.step}`;
        if (step !== undefined && seen.steps.at(-1) !== step) seen.steps.push(step);
        const version = cluster?.status?.version;
        if (version !== undefined && seen.running.at(-1) !== version) seen.running.push(version);
        await sleep(50);
      }
    })();
    return { steps: seen.steps, running: seen.running, stop: () => (seen.stopped = true) };
  };
  const kubeletVersions = async (): Promise<string[]> => (await tenant.makeApiClient(CoreV1Api).listNode()).items.map((n) => n.status?.nodeInfo?.kubeletVersion ?? "?").sort();
  const serverVersion = async (): Promise<string> => (await getJSON<{ gitVersion: string }>(tenant, "/version")).gitVersion;
  /** The version of the binary a component's process runs (its path ends in -v<version>). */
  const processVersion = (clusterId: string, component: string): string | undefined => {
    const [pid] = findProcessesByMarker(`seedbed:${join(stateDir, "clusters", clusterId)}/${component}`);
    return pid === undefined ? undefined : /-v(\d+\.\d+\.\d+)$/.exec(readCommandLine(pid)?.[0] ?? "")?.[1];
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
    await prepareManagementAPI(kc, namespace);
    operator = await startOperator({ kubeConfig: kc, stateDir, unsafeNoFsync: true, backupStore: store() });
    await create("clusters", "Cluster", "app", { version: "1.36" });
    await eventually(() => read<Cluster>("clusters", "app"), (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "app Running at 1.36" });
    tenant = await tenantKubeConfig(kc.makeApiClient(CoreV1Api), namespace, "app");
    await create("nodepools", "NodePool", "workers", { clusterName: "app", replicas: 2 });
    await eventually(kubeletVersions, (v) => v.length === 2 && v.every((x) => x === "v1.36.3"), { timeoutMs: 60_000, description: "two kwok Nodes at v1.36.3" });
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await operator?.stop();
    for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) process.kill(pid, "SIGKILL");
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("goes snapshot, etcd, kube-apiserver, controllers, node pools — and status.version moves only when the control plane runs the new version", async () => {
    const core = tenant.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "before-upgrade" } } });
    expect(await serverVersion()).toBe("v1.36.3");
    const recorder = recordSteps("app");
    // While kube-apiserver runs the new version, the controllers must still run the old one (the skew order).
    const id = (await read<Cluster>("clusters", "app")).status?.clusterID ?? "?";
    const skew: string[] = [];
    const watchSkew = (async () => {
      while (!recorder.steps.includes("Completed/Done")) {
        const apiserver = processVersion(id, "kube-apiserver");
        const controllers = processVersion(id, "kube-controller-manager");
        if (apiserver !== undefined && controllers !== undefined && skew.at(-1) !== `${apiserver}/${controllers}`) skew.push(`${apiserver}/${controllers}`);
        await sleep(50);
      }
    })();
    await setVersion("app", "1.37");
    const done = await eventually(() => read<Cluster>("clusters", "app"), (c) => c.status?.upgrade?.phase === "Completed" || c.status?.upgrade?.phase === "Failed", { timeoutMs: 240_000, description: "the upgrade settled" });
    await watchSkew;
    recorder.stop();
    expect(done.status?.upgrade?.phase, done.status?.upgrade?.message).toBe("Completed");
    expect(recorder.steps.filter((s) => s.startsWith("Upgrading/")).map((s) => s.slice("Upgrading/".length))).toEqual(["Snapshot", "Etcd", "APIServer", "Controllers", "NodePools"].filter((s) => recorder.steps.includes(`Upgrading/${s}`)));
    for (const step of ["Snapshot", "APIServer", "Controllers", "NodePools"]) expect(recorder.steps, step).toContain(`Upgrading/${step}`);
    // Never a controller newer than kube-apiserver: old/old, new/old, new/new.
    expect(skew).toEqual(["1.36.3/1.36.3", "1.37.1/1.36.3", "1.37.1/1.37.1"]);
    expect(recorder.running).toEqual(["1.36.3", "1.37.1"]);
    expect(done.status?.version).toBe("1.37.1");
    expect(done.status?.conditions?.find((c) => c.type === "Upgrade")).toMatchObject({ status: "True", reason: "Upgraded" });
    expect(await serverVersion()).toBe("v1.37.1");
    // The pre-upgrade snapshot, recorded and complete.
    const snapshot = done.status?.upgrade?.snapshot ?? "";
    expect((await read<EtcdBackup>("etcdbackups", snapshot)).status?.phase).toBe("Completed");
    // The pool followed: every machine replaced by one with the new kubelet.
    expect(await kubeletVersions()).toEqual(["v1.37.1", "v1.37.1"]);
    const pool = await read<NodePool>("nodepools", "workers");
    expect(pool.status?.version).toBe("1.37.1");
    expect(pool.status?.updatedReplicas).toBe(2);
    const events = (await api().kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace })).items.filter((e) => e.involvedObject.name === "app").map((e) => e.reason ?? "");
    expect(events).toEqual(expect.arrayContaining(["UpgradeStarted", "UpgradeStep", "UpgradeCompleted"]));
  });

  it("admission refuses any downgrade but the rollback of the last upgrade", async () => {
    await setVersion("app", "1.37.1");
    await expect(setVersion("app", "1.37.0")).rejects.toThrow(/cannot downgrade from 1\.37\.1 to 1\.37\.0: Kubernetes supports upgrades only; only the last upgrade can be undone, back to the version it came from/);
  });

  it("rolls back with the pre-upgrade snapshot: the old version runs and the data is the snapshot's", async () => {
    const core = tenant.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "after-upgrade" } } });
    await setVersion("app", "1.36");
    const done = await eventually(() => read<Cluster>("clusters", "app"), (c) => c.status?.upgrade?.phase === "RolledBack" || c.status?.upgrade?.phase === "Failed", { timeoutMs: 300_000, description: "the rollback settled" });
    expect(done.status?.upgrade?.phase, done.status?.upgrade?.message).toBe("RolledBack");
    expect(done.status?.upgrade?.restore).toBeDefined();
    await eventually(() => read<Cluster>("clusters", "app"), (c) => c.status?.phase === "Running", { timeoutMs: 60_000, description: "app Running after the rollback" });
    expect(done.status?.version).toBe("1.36.3");
    expect(await serverVersion()).toBe("v1.36.3");
    const names = (await core.listNamespacedConfigMap({ namespace: "default" })).items.map((c) => c.metadata?.name);
    expect(names).toContain("before-upgrade");
    expect(names).not.toContain("after-upgrade");
    // No kubelet newer than the control plane once it is back.
    await eventually(kubeletVersions, (v) => v.length === 2 && v.every((x) => x === "v1.36.3"), { timeoutMs: 60_000, description: "Nodes at v1.36.3" });
  });

  it("resumes an upgrade whose operator was killed half-way, and leaves one process of each component", async () => {
    await operator?.stop();
    operator = undefined;
    const kubeconfigFile = join(dir, "management.kubeconfig");
    writeFileSync(kubeconfigFile, api().kubeConfig().exportConfig(), { mode: 0o600 });
    child = spawn(process.execPath, [new URL("./fixtures/operator-process.ts", import.meta.url).pathname], {
      env: { ...process.env, SEEDBED_TEST_KUBECONFIG: kubeconfigFile, SEEDBED_TEST_STATE_DIR: stateDir, SEEDBED_TEST_BACKUP_STORE: JSON.stringify(store()) },
      stdio: ["ignore", "ignore", "inherit"],
    });
    await setVersion("app", "1.37");
    // Killed the moment kube-apiserver rolls: past the snapshot, before the controllers.
    await eventually(() => read<Cluster>("clusters", "app"), (c) => c.status?.upgrade?.phase === "Upgrading" && c.status.upgrade.step === "APIServer", { timeoutMs: 120_000, intervalMs: 20, description: "the upgrade at step APIServer" });
    child.kill("SIGKILL");
    await new Promise((resolve) => child?.once("exit", resolve));
    child = undefined;
    operator = await startOperator({ kubeConfig: api().kubeConfig(), stateDir, unsafeNoFsync: true, backupStore: store() });
    const done = await eventually(() => read<Cluster>("clusters", "app"), (c) => c.status?.upgrade?.phase === "Completed" || c.status?.upgrade?.phase === "Failed", { timeoutMs: 240_000, description: "the resumed upgrade settled" });
    expect(done.status?.upgrade?.phase, done.status?.upgrade?.message).toBe("Completed");
    expect(done.status?.version).toBe("1.37.1");
    // One pre-upgrade snapshot for this upgrade, however often its step ran.
    const backups = (await objects.listNamespacedCustomObject({ ...group, plural: "etcdbackups" })) as { items: EtcdBackup[] };
    expect(backups.items.filter((b) => b.metadata.labels?.["seedbed.dev/purpose"] === "pre-upgrade")).toHaveLength(2);
    const id = done.status?.clusterID ?? "?";
    for (const component of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
      expect(findProcessesByMarker(`seedbed:${join(stateDir, "clusters", id)}/${component}`), component).toHaveLength(1);
    }
    expect(processVersion(id, "kube-scheduler")).toBe("1.37.1");
  });
});
