import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chartProjectRolesFile, projectClusterRoles, renderProjectRoles } from "./project-roles.ts";

describe("the project ClusterRoles", () => {
  it("are in the Helm chart as generated (run `npm run generate -w @seedbed/api` after changing them)", () => {
    expect(readFileSync(chartProjectRolesFile, "utf8")).toBe(renderProjectRoles());
  });

  it("let only owners read Secrets, and viewers write nothing but the kubeconfig ledger", () => {
    const [owner, editor, viewer] = projectClusterRoles() as { rules: { resources: string[]; verbs: string[] }[] }[];
    const can = (role: typeof owner, verb: string, resource: string): boolean => role?.rules.some((r) => r.resources.includes(resource) && r.verbs.includes(verb)) === true;
    expect(can(owner, "get", "secrets")).toBe(true);
    expect(can(editor, "get", "secrets")).toBe(false);
    expect(can(editor, "create", "clusters")).toBe(true);
    // A policy is applied as the tenant's admin: only owners, cluster-admin there, write one.
    expect(["create", "update", "patch", "delete"].map((verb) => can(editor, verb, "clusterpolicies"))).toEqual([false, false, false, false]);
    expect(can(editor, "get", "clusterpolicies")).toBe(true);
    expect(can(owner, "create", "clusterpolicies")).toBe(true);
    expect(can(viewer, "create", "clusters")).toBe(false);
    expect(can(viewer, "get", "clusters")).toBe(true);
    for (const role of [owner, editor, viewer]) {
      expect(["get", "create", "patch"].map((verb) => can(role, verb, "configmaps"))).toEqual([true, true, true]);
      expect(["list", "update", "delete"].map((verb) => can(role, verb, "configmaps"))).toEqual([false, false, false]);
    }
    const viewerWrites = viewer?.rules.filter((r) => r.verbs.some((v) => ["create", "update", "patch", "delete"].includes(v))).flatMap((r) => r.resources);
    expect(viewerWrites).toEqual(["configmaps"]);
  });
});
