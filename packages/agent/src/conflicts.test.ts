import { policyNameAnnotation, policyUIDLabel } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { decide, fieldConflictMessage, type LiveObject } from "./conflicts.ts";
import type { ConflictRules, TenantObject } from "./render.ts";

const desired: TenantObject = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: "apps", labels: { env: "prod", [policyUIDLabel]: "me" }, annotations: { [policyNameAnnotation]: "ns/mine" } },
};

function live(labels: Record<string, string>, annotations: Record<string, string> = {}): LiveObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", labels, annotations }, spec: { finalizers: ["kubernetes"] } };
}

const ours = live({ env: "prod", [policyUIDLabel]: "me", "kubernetes.io/metadata.name": "apps" }, { [policyNameAnnotation]: "ns/mine" });
const oursChanged = live({ env: "dev", [policyUIDLabel]: "me" }, { [policyNameAnnotation]: "ns/mine" });
const theirs = live({ env: "prod", [policyUIDLabel]: "other" }, { [policyNameAnnotation]: "ns/theirs" });
const nobody = live({ env: "prod" });

const rules = (existing: ConflictRules["existing"], changed: ConflictRules["changed"]): ConflictRules => ({ existing, changed });

describe("decide", () => {
  it.each([
    ["absent, changed Overwrite", undefined, rules("Report", "Overwrite"), { action: "apply", force: true, adopt: false }],
    ["absent, changed Report", undefined, rules("Report", "Report"), { action: "apply", force: false, adopt: false }],
    ["ours and as desired: no request", ours, rules("Report", "Overwrite"), { action: "none" }],
    ["ours, changed, Overwrite", oursChanged, rules("Report", "Overwrite"), { action: "apply", force: true, adopt: false }],
    ["ours, changed, Report: applied without force (a conflict is the server's to say)", oursChanged, rules("Report", "Report"), { action: "apply", force: false, adopt: false }],
    ["another policy's, even with Adopt", theirs, rules("Adopt", "Overwrite"), { action: "conflict", message: "kept by policy ns/theirs" }],
    ["nobody's, Report", nobody, rules("Report", "Overwrite"), { action: "conflict", message: "exists and was not made by policy ns/mine; set conflicts.existing: Adopt to take it over" }],
    ["nobody's, Adopt, Overwrite", nobody, rules("Adopt", "Overwrite"), { action: "apply", force: true, adopt: true }],
    ["nobody's, Adopt, Report", nobody, rules("Adopt", "Report"), { action: "apply", force: false, adopt: true }],
  ])("%s", (_name, liveObject, conflictRules, expected) => {
    expect(decide({ desired, rules: conflictRules, live: liveObject, policyUID: "me", policyName: "ns/mine" })).toEqual(expected);
  });

  it("names the other policy by uid when its annotation is gone", () => {
    expect(decide({ desired, rules: rules("Adopt", "Overwrite"), live: live({ [policyUIDLabel]: "u-9" }), policyUID: "me", policyName: "ns/mine" })).toEqual({
      action: "conflict",
      message: "kept by policy with uid u-9",
    });
  });
});

describe("fieldConflictMessage", () => {
  it("names the managers and fields of a 409 and the fix", () => {
    const status = {
      kind: "Status",
      code: 409,
      reason: "Conflict",
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using rbac.authorization.k8s.io/v1: .subjects',
      details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using rbac.authorization.k8s.io/v1', field: ".subjects" }] },
    };
    expect(fieldConflictMessage(status)).toBe('changed by someone else (conflict with "kubectl-edit" using rbac.authorization.k8s.io/v1 at .subjects); set conflicts.changed: Overwrite to set them back');
  });

  it("falls back to the status message, and stays within 1024 characters", () => {
    expect(fieldConflictMessage({ message: "x".repeat(2000) })).toHaveLength(1024);
    expect(fieldConflictMessage(undefined)).toContain("fields owned by another manager");
  });
});
