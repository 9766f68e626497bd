import { describe, expect, it } from "vitest";
import { planTenantRestore, type TenantRestoreSeen } from "./shared-restore.ts";

const result = { seed: "local", prefix: "/c1/", deletedKeys: 3, writtenKeys: 2, revision: 90 };

describe("planTenantRestore", () => {
  it.each<{ title: string; seen: TenantRestoreSeen; expected: object }>([
    { title: "nothing under way: stage the export", seen: { id: "r1", staged: false }, expected: { step: "stage" } },
    { title: "an earlier restore completed: stage this one", seen: { id: "r2", completed: { id: "r1", result }, staged: false }, expected: { step: "stage" } },
    { title: "held by this restore with its export staged: import (again)", seen: { id: "r1", heldBy: "r1", staged: true }, expected: { step: "import" } },
    { title: "this restore completed: what it did, nothing again", seen: { id: "r1", completed: { id: "r1", result }, staged: false }, expected: { step: "done", result } },
    { title: "held by another restore: refused", seen: { id: "r2", heldBy: "r1", staged: true }, expected: { step: "refuse", message: expect.stringMatching(/another restore \(r1\) of cluster c1 holds/) as unknown } },
    { title: "held by this restore but the export is gone: refused, naming the fix", seen: { id: "r1", heldBy: "r1", staged: false }, expected: { step: "refuse", message: expect.stringMatching(/staged export is gone.*create a new EtcdRestore/) as unknown } },
    { title: "completed as a dedicated restore: refused", seen: { id: "r1", completed: { id: "r1" }, staged: false }, expected: { step: "refuse", message: expect.stringMatching(/etcd of its own/) as unknown } },
  ])("$title", ({ seen, expected }) => {
    expect(planTenantRestore(seen, "c1")).toEqual(expected);
  });
});
