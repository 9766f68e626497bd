import { describe, expect, it } from "vitest";
import { controllerOwnerRequest, requestFor } from "./event-sources.ts";
import { isTerminalError, parseRequestKey, requestKey, TerminalError } from "./reconciler.ts";

const cluster = { apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", plural: "clusters", namespaced: true };
const project = { apiVersion: "seedbed.dev/v1alpha1", kind: "Project", plural: "projects", namespaced: false };

function owned(refs: { apiVersion: string; kind: string; name: string; controller?: boolean }[]): { metadata: object } {
  return { metadata: { namespace: "ns", name: "child", ownerReferences: refs.map((r) => ({ uid: "u", ...r })) } };
}

describe("controllerOwnerRequest", () => {
  it.each([
    { case: "the controlling owner of the kind", refs: [{ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", name: "c1", controller: true }], owner: cluster, want: [{ namespace: "ns", name: "c1" }] },
    { case: "an owner referenced through another version", refs: [{ apiVersion: "seedbed.dev/v1", kind: "Cluster", name: "c1", controller: true }], owner: cluster, want: [{ namespace: "ns", name: "c1" }] },
    { case: "no owner that is not the controller", refs: [{ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", name: "c1" }], owner: cluster, want: [] },
    { case: "no owner of another group", refs: [{ apiVersion: "other.dev/v1alpha1", kind: "Cluster", name: "c1", controller: true }], owner: cluster, want: [] },
    { case: "no owner of another kind", refs: [{ apiVersion: "seedbed.dev/v1alpha1", kind: "NodePool", name: "c1", controller: true }], owner: cluster, want: [] },
    { case: "a cluster-scoped owner without namespace", refs: [{ apiVersion: "seedbed.dev/v1alpha1", kind: "Project", name: "p", controller: true }], owner: project, want: [{ namespace: undefined, name: "p" }] },
  ])("finds $case", ({ refs, owner, want }) => {
    expect(controllerOwnerRequest(owned(refs), owner)).toEqual(want);
  });

  it("finds nothing on an object without owners", () => {
    expect(controllerOwnerRequest({ metadata: { name: "x" } }, cluster)).toEqual([]);
  });
});

describe("request keys", () => {
  it.each([
    { request: { namespace: "ns", name: "a" }, key: "ns/a" },
    { request: { name: "cluster-scoped" }, key: "cluster-scoped" },
  ])("turns $key into a request and back", ({ request, key }) => {
    expect(requestKey(request)).toBe(key);
    expect(parseRequestKey(key)).toEqual(request);
  });

  it("makes the request of an object", () => {
    expect(requestFor({ metadata: { namespace: "ns", name: "a" } })).toEqual([{ namespace: "ns", name: "a" }]);
    expect(requestFor({ metadata: {} })).toEqual([]);
  });
});

describe("isTerminalError", () => {
  it("recognises a terminal error, also wrapped as a cause, and nothing else", () => {
    expect(isTerminalError(new TerminalError("bad spec"))).toBe(true);
    expect(isTerminalError(new Error("while applying", { cause: new TerminalError("bad spec") }))).toBe(true);
    expect(isTerminalError(new Error("timeout"))).toBe(false);
    expect(isTerminalError("a string")).toBe(false);
  });
});
