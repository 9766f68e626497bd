import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, type Cluster } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";
import { clientLoop } from "./client-loop.ts";
import { prepareManagementAPI, tenantKubeConfig } from "./local-platform.ts";

const namespace = "project-ha";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace, plural: "clusters" };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

// Several API servers behind the platform's balancer and several etcd
// members, on the local driver: kills, resizes and a lost member.
describe("high availability on the local driver", () => {
  const api = useKubeAPI({ controllers: true });
  const stateDir = mkdtempSync(join(tmpdir(), "seedbed-ha-"));
  let operator: Operator;
  let objects: CustomObjectsApi;
  const read = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...resource, name })) as Cluster;
  const marker = (cluster: Cluster, process: string): string => `seedbed:${join(stateDir, "clusters", cluster.status?.clusterID ?? "?")}/${process}`;
  const kill = (cluster: Cluster, process: string): void => {
    const pids = findProcessesByMarker(marker(cluster, process));
    expect(pids, `${process} runs`).toHaveLength(1);
    for (const pid of pids) process_kill(pid);
  };
  const tenantCore = async (name: string): Promise<CoreV1Api> => (await tenantKubeConfig(api().kubeConfig().makeApiClient(CoreV1Api), namespace, name)).makeApiClient(CoreV1Api);
  const settled = (apiServers: string, etcd: string) => (c: Cluster): boolean =>
    c.status?.controlPlane?.apiServers === apiServers && c.status.controlPlane.etcd === etcd && c.status.controlPlane.membership === undefined && c.status.phase === "Running" && (c.status.controlPlane.members ?? []).every((m) => m.healthy && m.role !== "Learner");

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    await prepareManagementAPI(kc, namespace);
    operator = await startOperator({ kubeConfig: kc, stateDir, unsafeNoFsync: true });
  });
  afterAll(async () => {
    await operator.stop();
    for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) process_kill(pid);
    for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "balancer")}`, { prefix: true })) process_kill(pid);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("serves through one endpoint from three API servers and three etcd members, with no failed request when an API server dies, keeps serving when an etcd member dies, and hands the endpoint back to one API server", async () => {
    await objects.createNamespacedCustomObject({ ...resource, body: { apiVersion, kind: "Cluster", metadata: { name: "ha", namespace }, spec: { controlPlane: { replicas: 3, datastore: { members: 3 } } } } });
    const cluster = await eventually(() => read("ha"), settled("3/3", "3/3"), { timeoutMs: 240_000, description: "3 API servers and 3 etcd members ready" });
    const members = cluster.status?.controlPlane?.members ?? [];
    expect(members.filter((m) => m.role === "Leader")).toHaveLength(1);
    expect(members.map((m) => m.role).sort()).toEqual(["Follower", "Follower", "Leader"]);
    for (const process of ["kube-apiserver", "kube-apiserver-1", "kube-apiserver-2", "kube-controller-manager-1", "kube-scheduler-2"]) expect(findProcessesByMarker(marker(cluster, process)), process).toHaveLength(1);
    const core = await tenantCore("ha");
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "before" } } });

    // An API server killed: the balancer takes it out; every new connection reaches a live one.
    const loop = clientLoop(await tenantKubeConfig(api().kubeConfig().makeApiClient(CoreV1Api), namespace, "ha"), 50);
    await sleep(1000);
    kill(cluster, "kube-apiserver-1");
    await sleep(4000);
    const seen = await loop.stop();
    expect(seen.failures).toEqual([]);
    expect(seen.ok).toBeGreaterThan(20);
    await eventually(() => read("ha"), settled("3/3", "3/3"), { timeoutMs: 120_000, description: "the killed API server back" });

    // A follower etcd member killed: the other two keep a quorum; writes go on.
    const follower = members.find((m) => m.role === "Follower")?.name ?? "?";
    kill(cluster, follower === "default" ? "etcd" : `etcd-${follower}`);
    // A write in flight on the dead member's connection fails with gRPC
    // Unavailable (kube-apiserver does not retry mutations), as it would for
    // any client of a real HA cluster; the next attempt reaches the quorum.
    // It may also have been committed before the reply was lost: 409 counts.
    const written = await eventually(() => createOrExists(core, "during"), (ok) => ok, { timeoutMs: 5_000, description: "a write with one etcd member down" });
    expect(written).toBe(true);
    const names = (await core.listNamespacedConfigMap({ namespace: "default" })).items.map((c) => c.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(["before", "during"]));
    await eventually(() => read("ha"), settled("3/3", "3/3"), { timeoutMs: 120_000, description: "the killed member back" });

    // Down to one API server: it takes the endpoint back from the balancer; the others and their route go.
    await objects.patchNamespacedCustomObject({ ...resource, name: "ha", body: { spec: { controlPlane: { replicas: 1 } } } }, mergePatch);
    await eventually(() => read("ha"), settled("1/1", "3/3"), { timeoutMs: 120_000, description: "one API server" });
    for (const process of ["kube-apiserver-1", "kube-apiserver-2", "kube-controller-manager-1", "kube-scheduler-2"]) expect(findProcessesByMarker(marker(cluster, process)), process).toEqual([]);
    expect(existsSync(join(stateDir, "balancer", "routes", `${cluster.status?.clusterID ?? "?"}.json`))).toBe(false);
    const after = await eventually(async () => (await core.listNamespacedConfigMap({ namespace: "default" })).items.map((c) => c.metadata?.name), (items) => items.includes("during"), { timeoutMs: 30_000, description: "the one API server serves" });
    expect(after).toEqual(expect.arrayContaining(["before", "during"]));
  }, 480_000);

  it("resizes etcd 1 → 3 → 5 → 3 → 1 one member at a time, keeping every key, and replaces a member whose data is lost", async () => {
    await objects.createNamespacedCustomObject({ ...resource, body: { apiVersion, kind: "Cluster", metadata: { name: "grows", namespace }, spec: {} } });
    await eventually(() => read("grows"), (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "grows Running" });
    const core = await tenantCore("grows");
    let step = 0;
    const resize = async (members: number): Promise<Cluster> => {
      step++;
      await objects.patchNamespacedCustomObject({ ...resource, name: "grows", body: { spec: { controlPlane: { datastore: { members } } } } }, mergePatch);
      const done = await eventually(() => read("grows"), settled("1/1", `${members}/${members}`), { timeoutMs: 300_000, description: `${members} members` });
      expect(done.status?.controlPlane?.members).toHaveLength(members);
      await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `step-${step}-at-${members}-members` } } });
      return done;
    };
    await resize(3);
    const five = await resize(5);
    const three = await resize(3);
    // Members that left are out of the member list, their processes and data gone.
    const clusterDir = join(stateDir, "clusters", three.status?.clusterID ?? "?");
    const left = (five.status?.controlPlane?.members ?? []).map((m) => m.name).filter((n) => !(three.status?.controlPlane?.members ?? []).some((m) => m.name === n));
    expect(left).toHaveLength(2);
    for (const name of left) {
      expect(findProcessesByMarker(marker(three, name === "default" ? "etcd" : `etcd-${name}`)), name).toEqual([]);
      expect(existsSync(join(clusterDir, name === "default" ? "etcd" : `etcd-${name}`)), `${name}'s data`).toBe(false);
    }

    // A follower's data lost: it is removed and a member with a new name takes its place.
    const lost = (three.status?.controlPlane?.members ?? []).find((m) => m.role === "Follower")?.name ?? "?";
    const lostProcess = lost === "default" ? "etcd" : `etcd-${lost}`;
    // Gone while it runs, then the process dies: it must not start again on no data.
    rmSync(join(clusterDir, lost === "default" ? "etcd" : `etcd-${lost}`), { recursive: true, force: true });
    kill(three, lostProcess);
    const replaced = await eventually(() => read("grows"), (c) => settled("1/1", "3/3")(c) && !(c.status?.controlPlane?.members ?? []).some((m) => m.name === lost), { timeoutMs: 300_000, description: `${lost} replaced` });
    expect(replaced.status?.controlPlane?.members).toHaveLength(3);

    await resize(1);
    const names = (await core.listNamespacedConfigMap({ namespace: "default" })).items.map((c) => c.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(["step-1-at-3-members", "step-2-at-5-members", "step-3-at-3-members", "step-4-at-1-members"]));
    expect(readdirSync(clusterDir).filter((f) => f.startsWith("etcd")).length).toBeGreaterThanOrEqual(1);
  }, 900_000);
});

/** Creates a ConfigMap; true when it exists afterwards (created now or before). */
async function createOrExists(core: CoreV1Api, name: string): Promise<boolean> {
  try {
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
  return true;
}

/** SIGKILL: a crash, not a shutdown. */
function process_kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}
