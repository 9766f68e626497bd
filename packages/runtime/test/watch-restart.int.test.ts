import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from "@kubernetes/client-node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { describe, expect, it } from "vitest";
import { Informer } from "../src/informer/informer.ts";
import { Manager } from "../src/manager.ts";
import { capturedLogger, configMapKind, createNamespace } from "./support.ts";

describe("watches across a kube-apiserver restart", () => {
  const api = useKubeAPI();

  it("reconnects after kube-apiserver restarts and sees updates made after the restart", async () => {
    const kc = api().kubeConfig();
    const ns = await createNamespace(kc, "restart");
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "before" }, data: { v: "1" } } });
    const { logger, lines } = capturedLogger();
    const informer = new Informer<V1ConfigMap>({ kubeConfig: kc, kind: configMapKind, namespace: ns, logger, maxRestartDelayMs: 1000 });
    const updates: string[] = [];
    informer.addHandlers({ update: (cm) => updates.push(`${cm.metadata?.name ?? ""}=${cm.data?.v ?? ""}`), add: (cm) => updates.push(`+${cm.metadata?.name ?? ""}`) });
    // A controller too, to see reconciles resume end to end.
    const reconciled: string[] = [];
    const manager = new Manager({ kubeConfig: kc });
    manager.addController({
      name: "restart",
      kind: configMapKind,
      namespace: ns,
      reconciler: {
        reconcile: ({ name }) => {
          reconciled.push(name);
          return Promise.resolve(undefined);
        },
      },
    });
    try {
      informer.start();
      expect(await informer.waitForSync()).toBe(true);
      await manager.start();
      expect(informer.get(ns, "before")?.data?.v).toBe("1");

      await api().restartAPIServer();

      await core.patchNamespacedConfigMap({ namespace: ns, name: "before", body: { data: { v: "2" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "after" }, data: { v: "1" } } });
      await eventually(async () => Promise.resolve(informer.get(ns, "before")?.data?.v), (v) => v === "2", { timeoutMs: 30_000, description: "the update after the restart" });
      await eventually(async () => Promise.resolve(informer.get(ns, "after")), (cm) => cm !== undefined, { timeoutMs: 10_000, description: "the object created after the restart" });
      expect(updates).toContain("before=2");
      await eventually(async () => Promise.resolve(reconciled), (r) => r.includes("after"), { timeoutMs: 30_000, description: "the controller reconciling after the restart" });
      // The broken watch was reported and the informer restarted itself.
      expect(lines.some((l) => l.msg === "List or watch failed; restarting it")).toBe(true);
    } finally {
      await manager.stop();
      await informer.stop();
    }
  });
});
