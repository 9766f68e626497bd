import { policyInventoryLabel } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { inventoryConfigMap, normalizeRefs, parseInventory, sameInventory, subtractRefs, unionRefs, type Inventory } from "./inventory.ts";

const ns = { apiVersion: "v1", kind: "Namespace", name: "apps" };
const role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespace: "apps", name: "reader" };
const binding = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespace: "apps", name: "readers" };

describe("inventory refs", () => {
  it("unions by object, whatever the version, and sorts", () => {
    const older = { ...role, apiVersion: "rbac.authorization.k8s.io/v1beta1" };
    expect(unionRefs([binding, older], [role, ns])).toEqual([ns, role, binding]);
  });

  it("subtracts what the new list keeps, leaving what is to be removed", () => {
    expect(subtractRefs([ns, role, binding], [role])).toEqual([ns, binding]);
    expect(subtractRefs([ns], [ns, role])).toEqual([]);
  });

  it("drops undefined namespaces so cluster-scoped refs compare equal", () => {
    expect(normalizeRefs([{ ...ns, namespace: undefined }])).toEqual([ns]);
  });
});

describe("inventory ConfigMaps", () => {
  const inventory: Inventory = { policy: "team-a/baseline", uid: "u-1", prune: false, objects: [role, ns] };

  it("round-trips through its ConfigMap", () => {
    const cm = inventoryConfigMap(inventory);
    expect(cm.metadata).toEqual({ name: "seedbed-policy-u-1", namespace: "kube-system", labels: { [policyInventoryLabel]: "true" } });
    expect(cm.data.prune).toBe("false");
    expect(JSON.parse(cm.data.objects)).toEqual([ns, role]);
    expect(sameInventory(parseInventory(cm), inventory)).toBe(true);
  });

  it("tells inventories apart by objects and prune", () => {
    expect(sameInventory(inventory, { ...inventory, objects: [ns, role] })).toBe(true);
    expect(sameInventory(inventory, { ...inventory, objects: [ns] })).toBe(false);
    expect(sameInventory(inventory, { ...inventory, prune: true })).toBe(false);
    expect(sameInventory(undefined, inventory)).toBe(false);
  });

  it("reads a damaged object list as empty and a missing prune as true", () => {
    expect(parseInventory({ data: { uid: "u-2", policy: "a/b", objects: "{not json" } })).toEqual({ policy: "a/b", uid: "u-2", prune: true, objects: [] });
    expect(parseInventory({ data: { uid: "u-3", objects: JSON.stringify([ns, { kind: "x" }]) } })?.objects).toEqual([ns]);
    expect(parseInventory({ data: {} })).toBeUndefined();
  });
});
