import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type EtcdBackup, type EtcdRestore } from "@seedbed/api";
import { startEmbeddedS3, type EmbeddedS3 } from "@seedbed/backup";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";
import { prepareManagementAPI, tenantKubeConfig } from "./local-platform.ts";

// An operator killed (SIGKILL) while a restore holds the cluster stopped:
// the next operator over the same state directory completes that restore.
describe("a restore interrupted by a killed operator", () => {
  const api = useKubeAPI({ controllers: true });
  const namespace = "project-crash";
  const dir = mkdtempSync(join(tmpdir(), "seedbed-restore-crash-"));
  const stateDir = join(dir, "state");
  let s3: EmbeddedS3;
  let child: ChildProcess | undefined;
  let operator: Operator | undefined;
  let objects: CustomObjectsApi;
  const operatorLog: string[] = [];
  const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
  const read = async <T>(plural: string, name: string): Promise<T> => (await objects.getNamespacedCustomObject({ ...group, plural, name })) as T;
  const create = (plural: string, kind: string, name: string, spec: object): Promise<unknown> => objects.createNamespacedCustomObject({ ...group, plural, body: { apiVersion, kind, metadata: { name, namespace }, spec } });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
    await prepareManagementAPI(kc, namespace);
    const kubeconfigFile = join(dir, "management.kubeconfig");
    writeFileSync(kubeconfigFile, kc.exportConfig(), { mode: 0o600 });
    child = spawn(process.execPath, [new URL("./fixtures/operator-process.ts", import.meta.url).pathname], {
      env: { ...process.env, SEEDBED_TEST_KUBECONFIG: kubeconfigFile, SEEDBED_TEST_STATE_DIR: stateDir, SEEDBED_TEST_BACKUP_STORE: JSON.stringify({ location: s3.location, credentials: s3.credentials }) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    // The operator's log, kept to say what the restore did when it never holds the cluster.
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      operatorLog.push(...chunk.split("\n").filter((line) => /restore|EtcdRestore|error/i.test(line)));
      operatorLog.splice(0, Math.max(0, operatorLog.length - 40));
    });
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await operator?.stop();
    for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) process.kill(pid, "SIGKILL");
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("completes the restore, with the snapshot's data and one process of each component", async () => {
    // Where the time goes, on stderr: a slow run says which step was slow.
    const began = Date.now();
    const mark = (what: string): void => {
      process.stderr.write(`[etcd-restore-crash] ${((Date.now() - began) / 1000).toFixed(1)} s: ${what}\n`);
    };
    await create("clusters", "Cluster", "victim", {});
    const cluster = await eventually(() => read<Cluster>("clusters", "victim"), (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "victim Running" });
    mark("victim Running");
    const core = (await tenantKubeConfig(api().kubeConfig().makeApiClient(CoreV1Api), namespace, "victim")).makeApiClient(CoreV1Api);
    for (let i = 0; i < 20; i++) await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `kept-${i}` }, data: { i: String(i) } } });
    await create("etcdbackups", "EtcdBackup", "snap", { clusterName: "victim" });
    await eventually(() => read<EtcdBackup>("etcdbackups", "snap"), (b) => b.status?.phase === "Completed", { timeoutMs: 90_000, description: "backup Completed" });
    mark("backup Completed");
    for (let i = 0; i < 10; i++) await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `later-${i}` } } });

    // The operator is killed the moment the restore holds the cluster stopped (between staging and the swap).
    const clusterDir = join(stateDir, "clusters", cluster.status?.clusterID ?? "?");
    await create("etcdrestores", "EtcdRestore", "interrupted", { clusterName: "victim", backupName: "snap" });
    const deadline = Date.now() + 120_000;
    while (!existsSync(join(clusterDir, "restore", "hold.json"))) {
      if (Date.now() > deadline) {
        // What the restore and the cluster said, to tell a restore that waits from one that keeps failing.
        const restore = await read<EtcdRestore>("etcdrestores", "interrupted").catch(() => undefined);
        const victim = await read<Cluster>("clusters", "victim").catch(() => undefined);
        throw new Error(`the restore never held the cluster; EtcdRestore status ${JSON.stringify(restore?.status)}; Cluster phase ${victim?.status?.phase ?? "?"}, conditions ${JSON.stringify(victim?.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`))}; the operator's last lines on restores: ${operatorLog.join("\n")}`);
      }
      await sleep(10);
    }
    mark("the restore holds the cluster");
    child?.kill("SIGKILL");
    await new Promise((resolve) => child?.once("exit", resolve));
    child = undefined;
    // Killed before the swap was recorded: the data is not yet the snapshot's.
    expect(existsSync(join(clusterDir, "restore.json"))).toBe(false);
    expect((await read<EtcdRestore>("etcdrestores", "interrupted")).status?.phase).toBe("Restoring");

    operator = await startOperator({ kubeConfig: api().kubeConfig(), stateDir, unsafeNoFsync: true, backupStore: { location: s3.location, credentials: s3.credentials } });
    const done = await eventually(() => read<EtcdRestore>("etcdrestores", "interrupted"), (r) => r.status?.phase === "Completed" || r.status?.phase === "Failed", { timeoutMs: 180_000, description: "the restore settled" });
    mark(`the restore ${done.status?.phase ?? "?"}`);
    expect(done.status?.phase).toBe("Completed");
    const names = (await core.listNamespacedConfigMap({ namespace: "default" })).items.map((c) => c.metadata?.name ?? "").filter((n) => n.startsWith("kept-") || n.startsWith("later-"));
    expect(names.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `kept-${i}`).sort());
    // Nothing leaked: no restore files, and exactly one process of each component.
    expect(readdirSync(clusterDir)).not.toContain("restore");
    for (const component of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
      expect(findProcessesByMarker(`seedbed:${join(stateDir, "clusters", cluster.status?.clusterID ?? "?")}/${component}`), component).toHaveLength(1);
    }
    expect((await eventually(() => read<Cluster>("clusters", "victim"), (c) => c.status?.phase === "Running", { timeoutMs: 60_000, description: "victim Running again" })).status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    // Its waits add up to more than the integration tests' default 120 s, which a loaded machine reached.
  }, 420_000);
});
