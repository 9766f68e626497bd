import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { addonKinds, builtinAddonNames, renderBuiltinAddon } from "./builtin.ts";
import { renderCoreDNS } from "./coredns.ts";
import { renderDashboard } from "./dashboard.ts";
import { renderMetricsServer } from "./metrics-server.ts";
import { addonLabel, type AddonContext } from "./types.ts";
import { testContext } from "./test-context.ts";

const ctx: AddonContext = testContext;
const contexts: readonly AddonContext[] = [ctx, { ...ctx, imageRegistry: "mirror.example.com/m/" }];

/** Every value in an object tree, with its path, for checks that hold anywhere in a rendering. */
function* leaves(value: unknown, path: string): Generator<[string, unknown]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* leaves(item, `${path}[${String(i)}]`);
  else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) yield* leaves(item, `${path}.${key}`);
}

/** A quantity the API server prints back differently: a decimal, 1000m, 1024Mi, or an unknown suffix. */
function nonCanonicalQuantity(quantity: unknown): boolean {
  const match = /^(\d+)(m|Ki|Mi|Gi)?$/.exec(String(quantity));
  if (typeof quantity !== "string" || match === null) return true;
  const amount = Number(match[1]);
  const unit = match[2];
  return (unit === "m" && amount % 1000 === 0) || ((unit === "Ki" || unit === "Mi") && amount % 1024 === 0);
}

describe("the built-in add-ons", () => {
  it("are CoreDNS, metrics-server and the dashboard, each rendered by its own renderer", () => {
    expect(builtinAddonNames).toEqual(["coredns", "metrics-server", "dashboard"]);
    expect(renderBuiltinAddon("coredns", ctx)).toEqual(renderCoreDNS(ctx));
    expect(renderBuiltinAddon("metrics-server", ctx)).toEqual(renderMetricsServer(ctx));
    expect(renderBuiltinAddon("dashboard", ctx)).toEqual(renderDashboard(ctx));
  });

  it.each(builtinAddonNames)("%s is written in the API server's canonical form, so that drift is only real drift", (name) => {
    for (const c of contexts) {
      const { objects } = renderBuiltinAddon(name, c);
      const kinds = new Map(addonKinds(objects).map((k) => [`${k.apiVersion} ${k.kind}`, k]));
      for (const object of objects) {
        const where = `${object.kind ?? ""} ${object.metadata?.name ?? ""}`;
        expect(object.apiVersion, where).toMatch(/^(v1|[a-z0-9.]+\/v1)$/);
        expect(object.metadata?.name, where).toMatch(/^[a-z0-9][a-z0-9.:-]*$/);
        expect(object.metadata?.labels?.[addonLabel], where).toBe(name);
        const namespaced = kinds.get(`${object.apiVersion ?? ""} ${object.kind ?? ""}`)?.namespaced;
        expect(object.metadata?.namespace === undefined, `${where}: namespace only on namespaced kinds`).toBe(!namespaced);
        for (const [path, value] of leaves(object, where)) {
          expect(value, `${path}: no null or undefined`).not.toBeNull();
          expect(value, `${path}: no null or undefined`).not.toBeUndefined();
          if (Array.isArray(value)) expect(value.length, `${path}: no empty list`).toBeGreaterThan(0);
          else if (typeof value === "object" && value !== null && path !== where) expect(Object.keys(value).length, `${path}: no empty object`).toBeGreaterThan(0);
          if (typeof value === "number") expect(Number.isInteger(value), `${path}: integers only`).toBe(true);
          if (/\.(requests|limits)\.\w+$|\.sizeLimit$/.test(path)) expect(nonCanonicalQuantity(value), `${path}: canonical quantity, got ${String(value)}`).toBe(false);
          if (/\.ports\[\d+\]$/.test(path)) expect(value, `${path}: a port names its protocol`).toHaveProperty("protocol");
        }
      }
    }
  });

  it.each(builtinAddonNames)("%s renders byte-identical output for equal inputs", (name) => {
    for (const c of contexts) expect(JSON.stringify(renderBuiltinAddon(name, { ...c }))).toBe(JSON.stringify(renderBuiltinAddon(name, { ...c })));
  });

  it("hands out objects of their own on every call, so a caller's edit never leaks into the next rendering", () => {
    const first = renderBuiltinAddon("coredns", ctx).objects as KubernetesObject[];
    const before = JSON.stringify(renderBuiltinAddon("coredns", ctx));
    for (const [, value] of leaves(first, "")) {
      if (Array.isArray(value)) value.push("edited");
      else if (value !== null && typeof value === "object") (value as Record<string, unknown>).edited = true;
    }
    expect(JSON.stringify(renderBuiltinAddon("coredns", ctx))).toBe(before);
  });
});

describe("the kinds of a rendering", () => {
  it("are listed once each, in order of first appearance, with their plurals and scope", () => {
    expect(addonKinds(renderMetricsServer(ctx).objects)).toEqual([
      { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", plural: "clusterroles", namespaced: false },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false },
      { apiVersion: "v1", kind: "Service", plural: "services", namespaced: true },
      { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
      { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", plural: "apiservices", namespaced: false },
    ]);
    expect(addonKinds(renderDashboard(ctx).objects).map((k) => k.kind)).toEqual(["Namespace", "ServiceAccount", "Secret", "ConfigMap", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Service", "Deployment"]);
  });

  it("refuses a kind the table does not know rather than guess its plural", () => {
    expect(() => addonKinds([{ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "x" } }])).toThrow(/DaemonSet.*does not list/);
  });
});
