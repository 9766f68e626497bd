import type { ClusterSync } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { PolicySyncIndex } from "./sync-index.ts";

const sync = (namespace: string, name: string, uids: string[]): ClusterSync =>
  ({ apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterSync", metadata: { namespace, name }, spec: { policies: uids.map((uid) => ({ namespace, name: `p-${uid}`, uid, generation: 1 })) } });
const names = (list: readonly { namespace: string; name: string }[]): string[] => list.map((k) => `${k.namespace}/${k.name}`);

describe("PolicySyncIndex", () => {
  it("knows which clusters list a policy, as their ClusterSyncs change and go", () => {
    const index = new PolicySyncIndex();
    index.set(sync("project-b", "x", ["u1"]));
    index.set(sync("project-a", "z", ["u1", "u2"]));
    index.set(sync("project-a-b", "y", ["u1"]));
    expect(names(index.clustersOf("u1"))).toEqual(["project-a/z", "project-a-b/y", "project-b/x"]);
    index.set(sync("project-a", "z", ["u2"]));
    expect(names(index.clustersOf("u1"))).toEqual(["project-a-b/y", "project-b/x"]);
    index.remove(sync("project-b", "x", []));
    expect(names(index.clustersOf("u1"))).toEqual(["project-a-b/y"]);
    expect(names(index.clustersOf("u2"))).toEqual(["project-a/z"]);
    expect(index.clustersOf("unknown")).toEqual([]);
  });
});
