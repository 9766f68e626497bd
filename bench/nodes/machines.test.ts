import { describe, expect, it } from "vitest";
import { withDescendants } from "./machines.ts";

describe("a machine's processes: its roots and everything below them", () => {
  // 1 init; 10 agent → 11 containerd, 12 kubelet; 20 shim (re-parented to init) → 21 pause → 22 container; 30 another machine's agent → 31.
  const parents = new Map([[10, 1], [11, 10], [12, 10], [20, 1], [21, 20], [22, 21], [30, 1], [31, 30]]);
  it.each([
    { roots: [10], found: [10, 11, 12] },
    { roots: [10, 20], found: [10, 11, 12, 20, 21, 22] },
    { roots: [10, 11, 20, 21], found: [10, 11, 12, 20, 21, 22] },
    { roots: [], found: [] },
    { roots: [99], found: [99] },
  ])("$roots → $found", ({ roots, found }) => {
    expect(withDescendants(roots, parents)).toEqual(found);
  });
});
