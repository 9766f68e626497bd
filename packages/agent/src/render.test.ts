import { policyNameAnnotation, policyUIDLabel, type ClusterPolicy } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { mergeConflictRules, renderPolicy } from "./render.ts";

function policy(spec: Partial<ClusterPolicy["spec"]>): ClusterPolicy {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "ClusterPolicy",
    metadata: { namespace: "team-a", name: "baseline", uid: "u-1", generation: 3 },
    spec: { clusterSelector: {}, prune: true, ...spec },
  };
}

const owned = { labels: { [policyUIDLabel]: "u-1" }, annotations: { [policyNameAnnotation]: "team-a/baseline" } };

describe("renderPolicy", () => {
  it("renders namespaces with their labels and annotations, plus the policy's", () => {
    const [ns] = renderPolicy(policy({ namespaces: [{ name: "apps", labels: { env: "prod" }, annotations: { note: "x" } }] }));
    expect(ns?.object).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "apps", labels: { env: "prod", [policyUIDLabel]: "u-1" }, annotations: { note: "x", [policyNameAnnotation]: "team-a/baseline" } },
    });
  });

  it("renders a Role with a namespace and a ClusterRole without, dropping unset rule fields", () => {
    const rules = [{ apiGroups: [""], resources: ["pods"], verbs: ["get" as const] }];
    const objects = renderPolicy(policy({ roles: [{ name: "reader", namespace: "apps", rules }, { name: "viewer", rules }] })).map((d) => d.object);
    expect(objects).toEqual([
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "reader", namespace: "apps", ...owned }, rules },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "viewer", ...owned }, rules },
    ]);
  });

  it("renders bindings with the RBAC apiGroup on roleRef and on User and Group subjects only", () => {
    const objects = renderPolicy(
      policy({
        bindings: [
          {
            name: "readers",
            namespace: "apps",
            roleRef: { kind: "Role", name: "reader" },
            subjects: [
              { kind: "User", name: "alice" },
              { kind: "Group", name: "devs" },
              { kind: "ServiceAccount", name: "ci", namespace: "apps" },
            ],
          },
          { name: "viewers", roleRef: { kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", name: "all" }] },
        ],
      }),
    ).map((d) => d.object);
    expect(objects[0]).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "readers", namespace: "apps", ...owned },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
      subjects: [
        { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice" },
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "devs" },
        { kind: "ServiceAccount", name: "ci", namespace: "apps" },
      ],
    });
    expect(objects[1]?.kind).toBe("ClusterRoleBinding");
    expect(objects[1]?.metadata.namespace).toBeUndefined();
  });

  it("applies manifests as written, without status or server-set metadata, labelled as the policy's", () => {
    const manifest = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "apps", labels: { app: "x" }, uid: "old", resourceVersion: "7" },
      data: { a: "1" },
      status: { x: 1 },
    };
    const [cm] = renderPolicy(policy({ manifests: [manifest] }));
    expect(cm?.object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "apps", labels: { app: "x", [policyUIDLabel]: "u-1" }, annotations: { [policyNameAnnotation]: "team-a/baseline" } },
      data: { a: "1" },
    });
    expect(manifest.metadata.uid).toBe("old");
  });

  it("does not let an entry's own labels replace the policy's uid label", () => {
    const [ns] = renderPolicy(policy({ namespaces: [{ name: "apps", labels: { [policyUIDLabel]: "forged" } }] }));
    expect(ns?.object.metadata.labels[policyUIDLabel]).toBe("u-1");
  });

  it("keeps the first of two entries naming one object", () => {
    const objects = renderPolicy(
      policy({ namespaces: [{ name: "apps", labels: { from: "namespaces" } }], manifests: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", labels: { from: "manifests" } } }] }),
    );
    expect(objects).toHaveLength(1);
    expect(objects[0]?.object.metadata.labels["from"]).toBe("namespaces");
  });

  it("gives each object its entry's conflict rules over the policy's over the defaults", () => {
    const objects = renderPolicy(
      policy({
        conflicts: { existing: "Adopt" },
        namespaces: [{ name: "a" }, { name: "b", conflicts: { changed: "Report" } }, { name: "c", conflicts: { existing: "Report" } }],
        manifests: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "m", namespace: "a" } }],
      }),
    );
    expect(objects.map((d) => d.conflicts)).toEqual([
      { existing: "Adopt", changed: "Overwrite" },
      { existing: "Adopt", changed: "Report" },
      { existing: "Report", changed: "Overwrite" },
      { existing: "Adopt", changed: "Overwrite" },
    ]);
  });

  it("is stable: the same policy renders identical output", () => {
    const spec = { namespaces: [{ name: "a", labels: { x: "1" } }], roles: [{ name: "r", rules: [{ verbs: ["get" as const], resources: ["pods"] }] }] };
    expect(JSON.stringify(renderPolicy(policy(spec)))).toBe(JSON.stringify(renderPolicy(policy(structuredClone(spec)))));
  });
});

describe("mergeConflictRules", () => {
  it("defaults to existing Report and changed Overwrite", () => {
    expect(mergeConflictRules(undefined, undefined)).toEqual({ existing: "Report", changed: "Overwrite" });
  });
});
