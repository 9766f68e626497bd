import { CoreV1Api, EventsV1Api, type KubernetesObject, type V1ConfigMap } from "@kubernetes/client-node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { isConflict, ObjectClient } from "../src/client/object-client.ts";
import { apply, applyStatus } from "../src/helpers/apply.ts";
import { EventRecorder } from "../src/helpers/events.ts";
import { ensureFinalizer, removeFinalizer } from "../src/helpers/finalizers.ts";
import { Manager } from "../src/manager.ts";
import { configMapKind, createNamespace, installWidgetCRD, widgetKind } from "./support.ts";

interface Widget extends KubernetesObject {
  spec?: { size?: number };
  status?: { phase?: string };
}

describe("helpers against a real API server", () => {
  const api = useKubeAPI();
  let client: ObjectClient;
  let ns: string;
  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installWidgetCRD(kc);
    ns = await createNamespace(kc, "helpers");
    client = ObjectClient.fromKubeConfig(kc);
  });

  const widget = (name: string, extra: Partial<Widget> = {}): Widget => ({ apiVersion: widgetKind.apiVersion, kind: widgetKind.kind, metadata: { name, namespace: ns }, ...extra });

  it("applies objects and their status server-side as field manager seedbed", async () => {
    const created = await apply(client, widget("w1", { spec: { size: 1 } }));
    expect(created.spec?.size).toBe(1);
    expect(created.metadata?.managedFields?.map((f) => [f.manager, f.operation])).toEqual([["seedbed", "Apply"]]);
    const updated = await apply(client, widget("w1", { spec: { size: 2 } }));
    expect(updated.spec?.size).toBe(2);

    // Only status goes through the status subresource; the spec in the body is ignored.
    const withStatus = await applyStatus(client, widget("w1", { spec: { size: 99 }, status: { phase: "Ready" } }));
    expect(withStatus.status?.phase).toBe("Ready");
    expect(withStatus.spec?.size).toBe(2);

    // Built-in kinds, and an object read back (managedFields and all) can be applied again.
    const cm = await apply<V1ConfigMap>(client, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied", namespace: ns }, data: { a: "1" } });
    expect(typeof cm.metadata?.creationTimestamp).toBe("string"); // raw JSON, as watch events deliver it
    const again = await apply(client, Object.assign({}, cm, { data: { a: "2" } }));
    expect(again.data).toEqual({ a: "2" });
  });

  it("adds and removes finalizers with the resourceVersion as a precondition", async () => {
    const core = api().kubeConfig().makeApiClient(CoreV1Api);
    const cm = await apply<V1ConfigMap>(client, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "guarded", namespace: ns } });
    const withFinalizer = await ensureFinalizer(client, cm, "runtime.seedbed.dev/cleanup");
    expect(withFinalizer.metadata?.finalizers).toEqual(["runtime.seedbed.dev/cleanup"]);
    expect(await ensureFinalizer(client, withFinalizer, "runtime.seedbed.dev/cleanup")).toBe(withFinalizer); // no write

    // A stale copy cannot overwrite the list: 409, and the finalizer set meanwhile survives.
    const stale = ensureFinalizer(client, cm, "runtime.seedbed.dev/other");
    await expect(stale).rejects.toSatisfy(isConflict);

    await core.deleteNamespacedConfigMap({ namespace: ns, name: "guarded" });
    const terminating = await core.readNamespacedConfigMap({ namespace: ns, name: "guarded" });
    expect(terminating.metadata?.deletionTimestamp).toBeDefined();
    const current = await client.request<V1ConfigMap>("GET", `/api/v1/namespaces/${ns}/configmaps/guarded`);
    await removeFinalizer(client, current, "runtime.seedbed.dev/cleanup");
    await eventually(
      async () => core.listNamespacedConfigMap({ namespace: ns, fieldSelector: "metadata.name=guarded" }),
      (list) => list.items.length === 0,
      { timeoutMs: 10_000, description: "the object gone once its finalizer was removed" },
    );
  });

  it("records Events and turns repeats into a series instead of new Events", async () => {
    const regarding = await apply(client, widget("evented", { spec: { size: 1 } }));
    const recorder = new EventRecorder({ client, controller: "widgets", instance: "test-instance" });
    for (let i = 0; i < 3; i++) recorder.record(regarding, { type: "Warning", reason: "InvalidSize", action: "Validate", note: "size must be even" });
    recorder.record(regarding, { reason: "Scaled", action: "Scale", note: "scaled to 1" });
    await recorder.flush();
    const events = (await api().kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns })).items.filter((e) => e.regarding?.name === "evented");
    expect(events).toHaveLength(2);
    const invalid = events.find((e) => e.reason === "InvalidSize");
    expect(invalid?.series?.count).toBe(3);
    expect(invalid?.reportingController).toBe("seedbed.dev/widgets");
    expect(invalid?.reportingInstance).toBe("test-instance");
    expect(invalid?.type).toBe("Warning");
    expect(invalid?.regarding?.uid).toBe(regarding.metadata?.uid);
    expect(events.find((e) => e.reason === "Scaled")?.series).toBeUndefined();
  });

  it("enqueues the controlling owner of an owned object, and what a watch maps an object to", async () => {
    const reconciled: string[] = [];
    const manager = new Manager({ kubeConfig: api().kubeConfig() });
    manager.addController({
      name: "widgets",
      kind: widgetKind,
      namespace: ns,
      owns: [{ kind: configMapKind }],
      watches: [{ kind: configMapKind, labelSelector: "widget", mapFn: (obj) => [{ namespace: obj.metadata?.namespace, name: obj.metadata?.labels?.widget ?? "" }] }],
      reconciler: {
        reconcile: ({ name }) => {
          reconciled.push(name);
          return Promise.resolve(undefined);
        },
      },
    });
    try {
      const owner = await apply(client, widget("owner", { spec: { size: 1 } }));
      await apply(client, widget("mapped", { spec: { size: 1 } }));
      await manager.start();
      await eventually(async () => Promise.resolve(reconciled), (r) => r.includes("owner") && r.includes("mapped"), { timeoutMs: 10_000 });
      reconciled.length = 0;
      const ownerRef = { apiVersion: widgetKind.apiVersion, kind: "Widget", name: "owner", uid: owner.metadata?.uid ?? "", controller: true };
      await apply(client, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owned", namespace: ns, ownerReferences: [ownerRef] } });
      await eventually(async () => Promise.resolve(reconciled), (r) => r.includes("owner"), { timeoutMs: 10_000, description: "the owner enqueued" });
      await apply(client, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "pointer", namespace: ns, labels: { widget: "mapped" } } });
      await eventually(async () => Promise.resolve(reconciled), (r) => r.includes("mapped"), { timeoutMs: 10_000, description: "the mapped object enqueued" });
      expect(reconciled).not.toContain("owned");
      expect(reconciled).not.toContain("pointer");
    } finally {
      await manager.stop();
    }
  });
});
