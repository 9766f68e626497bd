import type { V1Node } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { countNodes } from "./node-counts.ts";

const node = (ready: string | undefined): V1Node => ({ metadata: { name: "n" }, status: ready === undefined ? {} : { conditions: [{ type: "MemoryPressure", status: "False" }, { type: "Ready", status: ready }] } });

describe("countNodes", () => {
  it.each([
    { title: "no nodes", nodes: [], ready: 0, total: 0 },
    { title: "one ready, one not, one not yet reporting", nodes: [node("True"), node("False"), node(undefined)], ready: 1, total: 3 },
    { title: "a node whose kubelet stopped posting", nodes: [node("Unknown"), node("True")], ready: 1, total: 2 },
  ])("$title → $ready of $total", ({ nodes, ready, total }) => {
    expect(countNodes(nodes)).toEqual({ ready, total });
  });
});
