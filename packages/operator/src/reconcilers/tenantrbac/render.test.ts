import { apiVersion, type Project } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { renderTenantRBAC } from "./render.ts";

const project = (members: Project["spec"]["members"]): Project => ({ apiVersion, kind: "Project", metadata: { name: "a" }, spec: { members } });

describe("renderTenantRBAC", () => {
  it("binds owners to cluster-admin, editors to edit and viewers to view, users and groups alike", () => {
    const bindings = renderTenantRBAC(project([
      { kind: "User", name: "alice@example.com", role: "owner" },
      { kind: "Group", name: "team-a", role: "editor" },
      { kind: "User", name: "bob@example.com", role: "viewer" },
    ]));
    expect(bindings.map((b) => [b.metadata.name, (b.roleRef as { name: string }).name, (b.subjects as { kind: string; name: string }[]).map((s) => `${s.kind}:${s.name}`)])).toEqual([
      ["seedbed:project-owners", "cluster-admin", ["User:alice@example.com"]],
      ["seedbed:project-editors", "edit", ["Group:team-a"]],
      ["seedbed:project-viewers", "view", ["User:bob@example.com"]],
    ]);
  });

  it("keeps every binding, empty, when a role has no members or the project is gone, so access is taken back", () => {
    for (const bindings of [renderTenantRBAC(project([])), renderTenantRBAC(undefined)]) {
      expect(bindings).toHaveLength(3);
      for (const binding of bindings) expect(binding.subjects).toEqual([]);
    }
  });
});
