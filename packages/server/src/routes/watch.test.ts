import { describe, expect, it } from "vitest";
import { formatEvent } from "./watch.ts";

describe("formatEvent", () => {
  it("writes a cluster change as one server-sent event with its summary and the object", () => {
    const object = {
      apiVersion: "seedbed.dev/v1alpha1",
      kind: "Cluster",
      metadata: { name: "one", resourceVersion: "42", generation: 2, managedFields: [{ manager: "x" }] },
      spec: { version: "1.33" },
      status: { phase: "Running", observedGeneration: 2, conditions: [{ type: "Ready", status: "True" }], endpoint: "https://127.0.0.1:6443" },
    };
    const text = formatEvent({ type: "MODIFIED", object });
    expect(text.endsWith("\n\n")).toBe(true);
    const [event, data] = text.trimEnd().split("\n");
    expect(event).toBe("event: MODIFIED");
    const parsed = JSON.parse(data?.replace(/^data: /, "") ?? "") as Record<string, unknown> & { object: { metadata: object } };
    expect(parsed).toMatchObject({ kind: "Cluster", name: "one", resourceVersion: "42", phase: "Running", observedGeneration: 2, version: "1.33", endpoint: "https://127.0.0.1:6443", deleting: false });
    expect(parsed.conditions).toEqual([{ type: "Ready", status: "True" }]);
    expect(parsed.object.metadata).not.toHaveProperty("managedFields");
  });

  it("summarises a node pool by its cluster and replicas, and a deletion", () => {
    const object = { kind: "NodePool", metadata: { name: "p", deletionTimestamp: new Date(0) }, spec: { clusterName: "one", replicas: 3 }, status: { readyReplicas: 1 } };
    const data = JSON.parse(formatEvent({ type: "DELETED", object }).split("\n")[1]?.slice(6) ?? "") as Record<string, unknown>;
    expect(data).toMatchObject({ kind: "NodePool", name: "p", clusterName: "one", replicas: 3, readyReplicas: 1, deleting: true, conditions: [] });
  });
});
