import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { defaultKubernetesVersion } from "@seedbed/binaries";
import { buildKubeconfig, createClusterPKI } from "@seedbed/pki";
import { eventually } from "@seedbed/testing";
import { afterAll, describe, expect, it } from "vitest";
import { canBind, findProcessesByMarker, LocalDriver, pkiFileContents, type ControlPlaneObservation, type ControlPlanePlan } from "../src/index.ts";

async function planFor(clusterId: string): Promise<ControlPlanePlan> {
  const pki = await createClusterPKI({ clusterName: clusterId, kubernetesServiceIP: "10.96.0.1" });
  return {
    clusterId,
    version: defaultKubernetesVersion,
    network: { serviceCIDR: "10.96.0.0/12", podCIDR: "10.244.0.0/16", dnsDomain: "cluster.local" },
    pki: pkiFileContents(pki),
    controlPlane: { apiServerReplicas: 1, etcdMembers: 1, etcdStorage: "1Gi" },
    exposure: { serviceType: "NodePort", allowedSourceRanges: [] },
  };
}

function adminClient(plan: ControlPlanePlan, endpoint: string): CoreV1Api {
  const kc = new KubeConfig();
  const pem = (f: string): string => plan.pki.get(f) ?? "";
  kc.loadFromString(buildKubeconfig({ clusterName: plan.clusterId, server: endpoint, certificateAuthorityPem: pem("ca.crt"), userName: "admin", clientCertificatePem: pem("admin.crt"), clientKeyPem: pem("admin.key") }));
  return kc.makeApiClient(CoreV1Api);
}

const allReady = (o: ControlPlaneObservation): boolean => o.components.every((c) => c.ready);

describe("the local hosting driver", () => {
  const root = mkdtempSync(join(tmpdir(), "seedbed-local-driver-"));
  const driver = new LocalDriver({ root, unsafeNoFsync: true, backoff: { initialMs: 200, maxMs: 2000, resetAfterMs: 60_000 } });
  afterAll(async () => {
    await driver.stopAll();
    for (const pid of findProcessesByMarker(`seedbed:${join(root, "clusters")}`, { prefix: true })) process.kill(pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it("runs two clusters side by side, each answering only its own credentials, and deletes one without a trace", async () => {
    const [a, b] = await Promise.all([planFor("project-x.a"), planFor("project-x.b")]);
    const [first, second] = await Promise.all([eventually(() => driver.apply(a), allReady, { timeoutMs: 90_000 }), eventually(() => driver.apply(b), allReady, { timeoutMs: 90_000 })]);
    expect(first.components.map((c) => c.name)).toEqual(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]);
    expect(first.endpoint).not.toBe(second.endpoint);

    await adminClient(a, first.endpoint).createNamespace({ body: { metadata: { name: "only-in-a" } } });
    const inB = await adminClient(b, second.endpoint).listNamespace();
    expect(inB.items.map((n) => n.metadata?.name)).not.toContain("only-in-a");
    // A's admin certificate, presented to B (trusting B's CA so TLS completes), is refused.
    const crossed = adminClient({ ...a, pki: new Map([...a.pki, ["ca.crt", b.pki.get("ca.crt") ?? ""]]) }, second.endpoint);
    await expect(crossed.listNamespace()).rejects.toThrow(/Unauthorized|401/);

    const dirA = driver.clusterDir("project-x.a");
    const portsA = Object.values(JSON.parse(readFileSync(join(dirA, "ports.json"), "utf8")) as Record<string, number>);
    await driver.delete("project-x.a");
    expect(findProcessesByMarker(`seedbed:${join(root, "clusters")}/project-x.a`, { prefix: true })).toEqual([]);
    for (const port of portsA) expect(await canBind(port), `port ${port}`).toBe(true);
    expect(existsSync(dirA)).toBe(false);
    expect(await driver.list()).toEqual(["project-x.b"]);
  });

  it("is adopted by a new driver (a restarted platform) without a second copy, and restarts a killed component", async () => {
    const plan = await planFor("project-y.c");
    const observed = await eventually(() => driver.apply(plan), allReady, { timeoutMs: 90_000 });
    const marker = `seedbed:${join(root, "clusters")}/project-y.c`;
    const before = findProcessesByMarker(marker, { prefix: true });
    expect(before).toHaveLength(4);

    // The platform dies: its processes run on, unsupervised.
    driver.detachAll();
    const restarted = new LocalDriver({ root, unsafeNoFsync: true, backoff: { initialMs: 200, maxMs: 2000, resetAfterMs: 60_000 } });
    const again = await restarted.apply(plan);
    expect(again.endpoint).toBe(observed.endpoint);
    expect(findProcessesByMarker(marker, { prefix: true })).toEqual(before);

    expect(again.components.every((c) => c.ready)).toBe(true);
    const apiServerPid = findProcessesByMarker(`${marker}/kube-apiserver`)[0] ?? -1;
    if (apiServerPid > 0) process.kill(apiServerPid, "SIGKILL");
    const recovered = await eventually(() => restarted.apply(plan), (o) => allReady(o) && o.components.find((c) => c.name === "kube-apiserver")?.restarts === 1, { timeoutMs: 60_000 });
    expect(recovered.endpoint).toBe(observed.endpoint);
    expect(findProcessesByMarker(marker, { prefix: true })).toHaveLength(4);
    await restarted.delete("project-y.c");
    expect(findProcessesByMarker(marker, { prefix: true })).toEqual([]);
  });
});
