import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from "@kubernetes/client-node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { describe, expect, it } from "vitest";
import { statusCodeOf } from "../src/client/object-client.ts";
import { Informer } from "../src/informer/informer.ts";
import { capturedLogger, configMapKind, createNamespace, startPartition } from "./support.ts";

describe("an informer whose resourceVersion was compacted away", () => {
  // Without the watch cache, watches are served by etcd, which answers a
  // compacted revision with 410 Gone; compaction every second makes the
  // informer's revision compacted within a few seconds of a partition.
  const api = useKubeAPI({ apiServerExtraFlags: { "watch-cache": false, "etcd-compaction-interval": "1s" } });

  it("relists after 410 Gone and misses no update, addition or deletion made while it was cut off", async () => {
    const kc = api().kubeConfig();
    const ns = await createNamespace(kc, "relist");
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of ["kept", "deleted"]) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name }, data: { v: "0" } } });

    const partition = await startPartition(kc, () => api().kubeConfig());
    const { logger, lines } = capturedLogger();
    const informer = new Informer<V1ConfigMap>({ kubeConfig: partition.kubeConfig, kind: configMapKind, namespace: ns, logger, restartDelayMs: 200, maxRestartDelayMs: 500 });
    const events: string[] = [];
    informer.addHandlers({
      add: (cm) => events.push(`add ${cm.metadata?.name ?? ""}`),
      update: (cm) => events.push(`update ${cm.metadata?.name ?? ""}=${cm.data?.v ?? ""}`),
      delete: (cm) => events.push(`delete ${cm.metadata?.name ?? ""}`),
    });
    try {
      informer.start();
      expect(await informer.waitForSync()).toBe(true);
      const listsBefore = lines.filter((l) => l.msg === "Listed").length;
      // The collection's current revision: at least the informer's own (its list's or a later
      // event's), so once it is compacted away the informer's revision is gone too. (kept's own
      // revision can be older than what the informer resumes from, and would prove nothing.)
      const staleVersion = (await core.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion ?? "";

      partition.cut();
      for (let v = 1; v <= 20; v++) {
        await core.patchNamespacedConfigMap({ namespace: ns, name: "kept", body: { data: { v: String(v) } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      }
      await core.deleteNamespacedConfigMap({ namespace: ns, name: "deleted" });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "added" }, data: { v: "0" } } });
      // Wait until the informer's revision is really gone from etcd.
      await eventually(
        async () => {
          try {
            await core.listNamespacedConfigMap({ namespace: ns, resourceVersion: staleVersion, resourceVersionMatch: "Exact" });
            return 200;
          } catch (error) {
            return statusCodeOf(error);
          }
        },
        (status) => status === 410,
        { timeoutMs: 20_000, intervalMs: 500, description: "etcd compacted past the informer's revision" },
      );
      expect(informer.get(ns, "kept")?.data?.v).toBe("0"); // it really saw nothing meanwhile

      partition.heal();
      await eventually(async () => Promise.resolve(informer.get(ns, "kept")?.data?.v), (v) => v === "20", { timeoutMs: 20_000, description: "the latest update after the relist" });
      await eventually(async () => Promise.resolve(events), (e) => e.includes("delete deleted") && e.includes("add added"), { timeoutMs: 5_000, description: "the deletion and addition" });
      expect(informer.get(ns, "deleted")).toBeUndefined();
      expect(informer.list(ns).map((cm) => cm.metadata?.name).sort()).toEqual(["added", "kept"]);
      // It relisted (the watch from the compacted revision got 410), rather than replaying.
      expect(lines.filter((l) => l.msg === "Listed").length).toBeGreaterThan(listsBefore);

      // And it keeps watching after the relist.
      await core.patchNamespacedConfigMap({ namespace: ns, name: "kept", body: { data: { v: "21" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      await eventually(async () => Promise.resolve(informer.get(ns, "kept")?.data?.v), (v) => v === "21", { timeoutMs: 10_000, description: "an update after the relist" });
    } finally {
      await informer.stop();
      await partition.close();
    }
  });
});
