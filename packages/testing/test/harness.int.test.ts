import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, VersionApi, type KubeConfig } from "@kubernetes/client-node";
import { defaultKubernetesVersion } from "@seedbed/binaries";
import { canBind } from "@seedbed/controlplane";
import { describe, expect, it } from "vitest";
import { startKubeAPI } from "../src/index.ts";
import { useKubeAPI } from "../src/vitest.ts";

const group = "harness.seedbed.dev";

async function installWidgetCRD(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  await ext.createCustomResourceDefinition({
    body: {
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } } },
          },
        ],
      },
    },
  });
  for (let i = 0; i < 100; i++) {
    const crd = await ext.readCustomResourceDefinition({ name: `widgets.${group}` });
    if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await sleep(100);
  }
  throw new Error("the Widget CRD never became Established");
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the test harness", () => {
  const api = useKubeAPI();

  it("serves a real Kubernetes API that stores namespaces and custom resources", async () => {
    const kc = api().kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "harness-test", labels: { purpose: "test" } } } });
    const ns = await core.readNamespace({ name: "harness-test" });
    expect(ns.metadata?.labels?.purpose).toBe("test");
    expect(ns.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);

    await installWidgetCRD(kc);
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group,
      version: "v1",
      namespace: "harness-test",
      plural: "widgets",
      body: { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w1" }, spec: { size: 3 } },
    });
    const widget = (await custom.getNamespacedCustomObject({ group, version: "v1", namespace: "harness-test", plural: "widgets", name: "w1" })) as {
      spec: { size: number };
      metadata: { resourceVersion: string };
    };
    expect(widget.spec.size).toBe(3);
    expect(Number(widget.metadata.resourceVersion)).toBeGreaterThan(0);
    // The schema is enforced by the real server: a string is no integer.
    await expect(
      custom.createNamespacedCustomObject({
        group,
        version: "v1",
        namespace: "harness-test",
        plural: "widgets",
        body: { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w2" }, spec: { size: "big" } },
      }),
    ).rejects.toThrow(/spec.size/);
  });

  it("runs the pinned Kubernetes version, not v0.0.0", async () => {
    const version = await api().kubeConfig().makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(`v${defaultKubernetesVersion}`);
    expect(version.minor).toBe(defaultKubernetesVersion.split(".")[1]);
  });

  it("starts instances side by side that share nothing, and leaves nothing behind when stopped", async () => {
    const [a, b] = await Promise.all([startKubeAPI(), startKubeAPI()]);
    try {
      const ports = [...a.ports, ...b.ports, ...api().ports];
      expect(new Set(ports).size).toBe(ports.length);
      await a.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "only-in-a" } } });
      const inB = await b.kubeConfig().makeApiClient(CoreV1Api).listNamespace();
      expect(inB.items.map((n) => n.metadata?.name)).not.toContain("only-in-a");
      // a's admin certificate comes from a's own CA: b refuses it.
      const crossed = a.kubeConfig();
      const cluster = crossed.getCurrentCluster();
      if (!cluster) throw new Error("no cluster in kubeconfig");
      crossed.clusters = [{ ...cluster, server: b.server, skipTLSVerify: true, caData: undefined }];
      await expect(crossed.makeApiClient(CoreV1Api).listNamespace()).rejects.toThrow(/401|Unauthorized/);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    for (const instance of [a, b]) {
      for (const pid of instance.pids().values()) expect(isRunning(pid), `pid ${pid} still running`).toBe(false);
      for (const port of instance.ports) expect(await canBind(port), `port ${port} still bound`).toBe(true);
      expect(existsSync(instance.dir)).toBe(false);
    }
  });
});
