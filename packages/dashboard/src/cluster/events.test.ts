import { describe, expect, it } from "vitest";
import type { ClusterEvent } from "../api/types.ts";
import { eventRows } from "./events.ts";

describe("eventRows", () => {
  it("shows the newest first, naming the object, and keeps at most the limit", () => {
    const events: ClusterEvent[] = [
      { metadata: { name: "e1", uid: "1" }, type: "Normal", reason: "Provisioned", message: "ready", lastTimestamp: "2026-11-30T10:00:00Z", involvedObject: { kind: "Cluster", name: "prod" } },
      { metadata: { name: "e2", uid: "2" }, type: "Warning", reason: "ScaleFailed", note: "quota", eventTime: "2026-11-30T11:00:00Z", regarding: { kind: "NodePool", name: "web" }, count: 3 },
      { metadata: { name: "e3", uid: "3", creationTimestamp: "2026-11-30T09:00:00Z" } },
    ];
    const rows = eventRows(events, 2);
    expect(rows.map((r) => [r.reason, r.object, r.message, r.count, r.type])).toEqual([
      ["ScaleFailed", "NodePool/web", "quota", 3, "Warning"],
      ["Provisioned", "Cluster/prod", "ready", 1, "Normal"],
    ]);
  });
});
