import { spawn, type ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, EventsV1Api, KubeConfig, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, completeCARotationAnnotation, rotateCAAnnotation, type Cluster } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { eventually, tokenLoop } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientLoop } from "./client-loop.ts";
import { prepareManagementAPI, servedCertificate, tenantKubeConfig } from "./local-platform.ts";

const namespace = "project-certs";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
/** How long the operator keeps the old service-account key verifying: short, so a test sees it retire. */
const tokenLifetimeMs = 15_000;

/** The HTTP status of one GET of the default namespace with a kubeconfig's own credentials and CA. */
function statusWith(kc: KubeConfig): Promise<string> {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  return new Promise((resolve) => {
    const req = request(new URL("/api/v1/namespaces/default", cluster?.server), { ca: Buffer.from(cluster?.caData ?? "", "base64"), ...(user?.certData === undefined ? {} : { cert: Buffer.from(user.certData, "base64"), key: Buffer.from(user.keyData ?? "", "base64") }), headers: user?.token === undefined ? {} : { authorization: `Bearer ${user.token}` }, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on("error", (error) => resolve(error.message));
    req.end();
  });
}

/** A kubeconfig with a bearer token instead of the admin certificate. */
function withToken(kc: KubeConfig, token: string, caPem: string): KubeConfig {
  const server = kc.getCurrentCluster()?.server ?? "";
  const out = new KubeConfig();
  out.loadFromOptions({ clusters: [{ name: "c", server, caData: Buffer.from(caPem).toString("base64") }], users: [{ name: "u", token }], contexts: [{ name: "c", cluster: "c", user: "u" }], currentContext: "c" });
  return out;
}

describe("certificates that rotate themselves, on the local driver", () => {
  const api = useKubeAPI({ controllers: true });
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let stateDir: string;
  let child: ChildProcess | undefined;
  const operatorLog: string[] = [];

  const readCluster = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name })) as Cluster;
  const annotate = (name: string, annotations: Record<string, string>): Promise<unknown> => objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name, body: { metadata: { annotations } } }, mergePatch);

  /** Starts the operator in a process of its own, which a test may kill at any moment. */
  const startOperatorProcess = (): void => {
    const kubeconfigFile = join(stateDir, "management.kubeconfig");
    writeFileSync(kubeconfigFile, api().kubeConfig().exportConfig(), { mode: 0o600 });
    child = spawn(process.execPath, [new URL("./fixtures/operator-process.ts", import.meta.url).pathname], {
      env: { ...process.env, SEEDBED_TEST_KUBECONFIG: kubeconfigFile, SEEDBED_TEST_STATE_DIR: stateDir, SEEDBED_TEST_OPERATOR_OPTIONS: JSON.stringify({ tokenLifetimeMs }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Everything it logs, to check that no key is ever in it.
    child.stdout?.on("data", (chunk: Buffer) => operatorLog.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => {
      operatorLog.push(chunk.toString());
      process.stderr.write(chunk);
    });
  };
  const killOperator = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    running.kill("SIGKILL");
    await new Promise((resolve) => running.once("exit", resolve));
  };

  /** A token of a tenant ServiceAccount bound to cluster-admin, signed by the key that signs now. */
  const adminToken = async (tenant: KubeConfig, name: string): Promise<string> => {
    const tcore = tenant.makeApiClient(CoreV1Api);
    await tcore.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name } } }).catch(() => undefined);
    await tenant.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({ body: { metadata: { name: `test-${name}` }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "ServiceAccount", name, namespace: "default" }] } }).catch(() => undefined);
    const issued = await tcore.createNamespacedServiceAccountToken({ namespace: "default", name, body: { spec: { expirationSeconds: 3600, audiences: [] } } });
    return issued.status?.token ?? "";
  };

  const pids = (id: string, component: string): number[] => findProcessesByMarker(`seedbed:${join(stateDir, "clusters", id)}/${component}`);

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await prepareManagementAPI(kc, namespace);
    stateDir = mkdtempSync(join(tmpdir(), "seedbed-rotation-"));
    startOperatorProcess();
  });
  afterAll(async () => {
    await killOperator();
    for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) process.kill(pid, "SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("renews one-minute leaves again and again with no failed request and no kube-apiserver or etcd restart", async () => {
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "short", namespace }, spec: { certificates: { leafValidity: "1m", renewBefore: "40s" } } } });
    const running = await eventually(() => readCluster("short"), (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "cluster short Running" });
    const id = running.status?.clusterID ?? "?";
    const endpoint = running.status?.endpoint ?? "";
    const [apiServerPid, etcdPid] = [pids(id, "kube-apiserver"), pids(id, "etcd")];
    expect(apiServerPid).toHaveLength(1);
    const tenant = await tenantKubeConfig(core, namespace, "short");
    const token = await adminToken(tenant, "loop");
    const bundle = running.status?.certificateAuthority ?? "";
    const loop = tokenLoop(endpoint, () => bundle, () => token);
    // A watch held open across the renewals, which must see every change.
    const watched: string[] = [];
    const watchErrors: string[] = [];
    const watch = request(new URL("/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=600", endpoint), { ca: bundle, headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
          const event = JSON.parse(buffer.slice(0, i)) as { type: string; object: { metadata?: { name?: string } } };
          buffer = buffer.slice(i + 1);
          if (event.type === "ADDED") watched.push(event.object.metadata?.name ?? "");
        }
      });
      res.on("end", () => watchErrors.push("the watch ended"));
    });
    watch.on("error", (error) => watchErrors.push(error.message));
    watch.end();

    // Long enough for several renewals (one every 20 s); a ConfigMap every 10 s for the watch, the certificate served sampled as it goes.
    const served = new Set<string>();
    const written: string[] = [];
    const tcore = new KubeConfig();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 10_000));
      const name = `tick-${i}`;
      // Through the platform's own client: the admin kubeconfig Secret, read again each time (it carries the current certificate).
      tcore.loadFromString((await tenantKubeConfig(core, namespace, "short")).exportConfig());
      await tcore.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: "default", body: { metadata: { name } } });
      written.push(name);
      served.add((await servedCertificate(endpoint)).serialNumber);
    }
    const result = await loop.stop();
    watch.destroy();
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(200);
    await eventually(() => Promise.resolve(watched), (w) => written.every((n) => w.includes(n)), { timeoutMs: 10_000, description: "every ConfigMap seen by the watch" });
    expect(watchErrors).toEqual([]);
    // At least three serving certificates in 100 s, loaded by the same kube-apiserver and etcd processes.
    expect(served.size).toBeGreaterThanOrEqual(3);
    expect(pids(id, "kube-apiserver")).toEqual(apiServerPid);
    expect(pids(id, "etcd")).toEqual(etcdPid);
    const after = await readCluster("short");
    expect(after.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    const leaves = after.status?.certificates?.leaves ?? [];
    expect(leaves.map((l) => l.name)).toEqual(expect.arrayContaining(["apiserver", "etcd-server", "admin", "controller-manager", "scheduler", "apiserver-kubelet-client", "front-proxy-client"]));
    for (const leaf of leaves) expect(Date.parse(leaf.notAfter) - Date.now(), leaf.name).toBeLessThanOrEqual(60_000);
    expect(Date.parse(after.status?.certificates?.renewalTime ?? "")).toBeGreaterThan(Date.now() - 10_000);
  }, 300_000);

  it("rotates every CA in stages: old kubeconfigs work until Completing, new ones throughout, old tokens until the old key retires, resumed after the operator is killed in each stage", async () => {
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "rot", namespace }, spec: { certificates: { leafValidity: "2m", renewBefore: "60s", caRotation: { completeAfter: "1h" } } } } });
    const before = await eventually(() => readCluster("rot"), (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "cluster rot Running" });
    const endpoint = before.status?.endpoint ?? "";
    const oldAdmin = await tenantKubeConfig(core, namespace, "rot");
    const oldCA = before.status?.certificates?.authorities?.find((a) => a.name === "cluster");
    expect(oldCA?.fingerprint).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    expect(before.status?.certificates?.rotation).toBeUndefined();
    const oldToken = await adminToken(oldAdmin, "old");
    // Kubeconfigs handed out before: the admin certificate, and a token with the CA of then.
    const oldLoop = clientLoop(oldAdmin);
    // A client that refreshes its CA from the platform (status.certificateAuthority) before each request.
    let currentCA = before.status?.certificateAuthority ?? "";
    const refreshing = tokenLoop(endpoint, () => currentCA, () => oldToken);
    const follow = setInterval(() => {
      void readCluster("rot").then((c) => {
        currentCA = c.status?.certificateAuthority ?? currentCA;
      }, () => undefined);
    }, 200);

    await annotate("rot", { [rotateCAAnnotation]: new Date().toISOString() });
    await eventually(() => readCluster("rot"), (c) => c.status?.certificates?.rotation?.phase === "Preparing", { timeoutMs: 30_000, intervalMs: 50, description: "rotation Preparing" });
    await killOperator();
    startOperatorProcess();
    const prepared = await eventually(() => readCluster("rot"), (c) => c.status?.certificates?.rotation?.phase === "Prepared", { timeoutMs: 180_000, description: "rotation Prepared" });
    const rotation = prepared.status?.certificates?.rotation;
    expect(rotation?.trigger).toBe("Manual");
    const clusterCA = prepared.status?.certificates?.authorities?.find((a) => a.name === "cluster");
    expect(clusterCA?.previous?.fingerprint).toBe(oldCA?.fingerprint);
    expect(clusterCA?.fingerprint).not.toBe(oldCA?.fingerprint);
    expect(prepared.status?.certificates?.authorities?.map((a) => a.name).sort()).toEqual(["cluster", "etcd", "frontProxy", "serviceAccount"]);
    expect(prepared.status?.certificates?.authorities?.every((a) => a.previous !== undefined)).toBe(true);
    // Both CAs in what kubeconfigs are made from now; the old kubeconfig and the old token still work.
    expect(prepared.status?.certificateAuthority?.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(await statusWith(oldAdmin)).toBe("200");
    expect(await statusWith(withToken(oldAdmin, oldToken, prepared.status?.certificateAuthority ?? ""))).toBe("200");
    const newAdmin = await eventually(() => tenantKubeConfig(core, namespace, "rot"), (kc) => Buffer.from(kc.getCurrentCluster()?.caData ?? "", "base64").toString().match(/BEGIN CERTIFICATE/g)?.length === 2, { timeoutMs: 30_000, description: "an admin kubeconfig carrying both CAs" });
    const newClient = new X509Certificate(Buffer.from(newAdmin.getCurrentUser()?.certData ?? "", "base64"));
    expect(newClient.fingerprint256).not.toBe("");
    expect(newClient.issuer).toContain(rotation?.id ?? "?");
    expect(await statusWith(newAdmin)).toBe("200");
    const newLoop = clientLoop(newAdmin);
    // Prepared holds for caRotation.completeAfter (an hour) unless asked to complete.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await readCluster("rot")).status?.certificates?.rotation?.phase).toBe("Prepared");
    await killOperator();
    startOperatorProcess();
    await annotate("rot", { [completeCARotationAnnotation]: rotation?.id ?? "" });
    const completing = await eventually(() => readCluster("rot"), (c) => c.status?.certificates?.rotation?.phase === "Completing", { timeoutMs: 60_000, intervalMs: 50, description: "rotation Completing" });
    const completingSince = Date.parse(completing.status?.certificates?.rotation?.phaseTime ?? "");
    await killOperator();
    startOperatorProcess();
    const completed = await eventually(() => readCluster("rot"), (c) => c.status?.certificates?.rotation?.phase === "Completed", { timeoutMs: 180_000, description: "rotation Completed" });
    clearInterval(follow);
    const [oldSeen, newSeen, refreshed] = await Promise.all([oldLoop.stop(), newLoop.stop(), refreshing.stop()]);

    // Only the new CAs now: the old admin kubeconfig and the old key's token are refused, the new ones work.
    expect(completed.status?.certificates?.authorities?.every((a) => a.previous === undefined)).toBe(true);
    expect(completed.status?.certificates?.authorities?.find((a) => a.name === "cluster")?.fingerprint).toBe(clusterCA?.fingerprint);
    expect(completed.status?.certificateAuthority?.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    expect(await statusWith(oldAdmin)).not.toBe("200");
    expect(await statusWith(newAdmin)).toBe("200");
    expect(await statusWith(withToken(oldAdmin, oldToken, completed.status?.certificateAuthority ?? ""))).toBe("401");
    const freshToken = await adminToken(newAdmin, "fresh");
    expect(await statusWith(withToken(newAdmin, freshToken, completed.status?.certificateAuthority ?? ""))).toBe("200");
    // Nobody was ever refused for trust: the old kubeconfig not before Completing began, the new one and the refreshing client never.
    // (kube-apiserver restarts when it must load the etcd CA bundle and the service-account keys: connections refused then are no trust failure.)
    const trustFailure = /certificate|self[- ]signed|verify|HTTP 401|HTTP 403/i;
    expect(oldSeen.failures.filter((f) => Date.parse(f.slice(0, 24)) < completingSince && trustFailure.test(f))).toEqual([]);
    expect(newSeen.failures.filter((f) => trustFailure.test(f))).toEqual([]);
    // Its token is the old key's: refused once that key retires (after Completing began), never before; its TLS never fails.
    // A kube-apiserver that has just restarted answers 403 until its RBAC caches are filled: that is its restart, not trust.
    const restarts = refreshed.failures.filter((f) => /ECONNREFUSED|ECONNRESET|socket hang up/.test(f.why)).map((f) => f.at);
    const inRestart = (at: number): boolean => restarts.some((r) => at >= r && at - r < 15_000);
    expect(refreshed.failures.filter((f) => /certificate|self[- ]signed|verify/i.test(f.why))).toEqual([]);
    expect(refreshed.failures.filter((f) => /HTTP 40[13]/.test(f.why) && f.at < completingSince && !inRestart(f.at))).toEqual([]);
    expect(refreshed.failures.some((f) => f.why.startsWith("HTTP 401"))).toBe(true);
    expect(newSeen.ok).toBeGreaterThan(20);

    // One process of each component after the kills; no key in status or events.
    const id = completed.status?.clusterID ?? "?";
    for (const component of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
      const log = join(stateDir, "clusters", id, "logs", `${component}.log`);
      await eventually(() => Promise.resolve(pids(id, component)), (p) => p.length === 1, { timeoutMs: 30_000, description: `one ${component} process (its log ends: ${existsSync(log) ? readFileSync(log, "utf8").slice(-1500) : "none"})` });
    }
    expect(JSON.stringify(completed.status)).not.toMatch(/PRIVATE KEY/);
    const events = await api().kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: "regarding.name=rot" });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(["CARotationStarted", "CARotationProgressing", "CARotationCompleted"]));
    expect(JSON.stringify(events.items)).not.toMatch(/PRIVATE KEY/);
    // The operators' logs through four kills and the whole rotation: lines were written, none with a key.
    expect(operatorLog.join("").length).toBeGreaterThan(0);
    expect(operatorLog.join("")).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    const pki = await core.readNamespacedSecret({ namespace, name: clusterObjectNames.pkiSecret("rot") });
    expect(Object.keys(pki.data ?? {}).filter((k) => k.includes("previous"))).toEqual([]);

    // Leaves keep being renewed after the rotation (every minute here), from the new CA.
    const serving = (secret: typeof pki): X509Certificate => new X509Certificate(Buffer.from(secret.data?.["apiserver.crt"] ?? "", "base64"));
    const renewed = await eventually(() => core.readNamespacedSecret({ namespace, name: clusterObjectNames.pkiSecret("rot") }), (s) => serving(s).serialNumber !== serving(pki).serialNumber, { timeoutMs: 90_000, description: "a leaf renewal after the rotation" });
    expect(serving(renewed).issuer).toContain(rotation?.id ?? "?");
    const after = await eventually(() => readCluster("rot"), (c) => c.status?.conditions?.find((x) => x.type === "Ready")?.status === "True", { timeoutMs: 60_000, description: "rot Ready after the renewal" });
    expect(after.status?.certificates?.rotation?.phase).toBe("Completed");
  }, 600_000);
});
