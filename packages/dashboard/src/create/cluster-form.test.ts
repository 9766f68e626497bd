import { describe, expect, it } from "vitest";
import { addonsOf, clusterBody, clusterFieldOf, derivedPoolName, nameProblem, poolBody, poolField, poolPartOf, replicasProblem, validateClusterForm, type ClusterForm } from "./cluster-form.ts";

const form = (change: Partial<ClusterForm> = {}): ClusterForm => ({
  name: "prod",
  project: "a",
  template: "",
  version: "1.37.1",
  pools: [{ key: 1, name: "prod-workers", replicas: "2", named: false }],
  addons: {},
  exposure: "",
  ...change,
});

describe("nameProblem", () => {
  it.each([
    ["prod", undefined],
    ["a-1", undefined],
    ["", "Give a name."],
    ["Prod", "DNS-1123"],
    ["-prod", "DNS-1123"],
    ["prod-", "DNS-1123"],
    ["pro_d", "DNS-1123"],
    ["a".repeat(31), "no more than 30 characters"],
  ])("finds %j %s", (name, expected) => {
    const problem = nameProblem(name, 30);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toContain(expected);
  });

  it("accepts a name of exactly the limit", () => {
    expect(nameProblem("a".repeat(30), 30)).toBeUndefined();
  });
});

describe("replicasProblem", () => {
  it.each([["0", false], ["1000", false], ["1001", true], ["-1", true], ["1.5", true], ["", true], ["two", true]])("says %j is wrong: %s", (text, wrong) => {
    expect(replicasProblem(text) !== undefined).toBe(wrong);
  });
});

describe("validateClusterForm", () => {
  it("passes a good form", () => {
    expect(validateClusterForm(form())).toEqual({});
  });

  it("names each field at fault, pools by their row key", () => {
    const errors = validateClusterForm(form({
      name: "Bad Name",
      project: "",
      pools: [
        { key: 1, name: "p", replicas: "x", named: true },
        { key: 2, name: "p", replicas: "1", named: true },
      ],
    }));
    expect(Object.keys(errors).sort()).toEqual(["name", "pool.1.replicas", "pool.2.name", "project"]);
    expect(errors[poolField(2, "name")]).toBe("another pool has this name");
  });
});

describe("derivedPoolName", () => {
  it("follows the cluster's name, numbering later rows", () => {
    expect(derivedPoolName("prod", 0)).toBe("prod-workers");
    expect(derivedPoolName("prod", 2)).toBe("prod-workers-3");
    expect(derivedPoolName("", 0)).toBe("workers");
  });
});

describe("addonsOf", () => {
  it("asks for the ticked built-ins and keeps CoreDNS on unless unticked", () => {
    expect(addonsOf({})).toEqual([{ name: "coredns" }]);
    expect(addonsOf({ "metrics-server": true })).toEqual([{ name: "coredns" }, { name: "metrics-server" }]);
    expect(addonsOf({ coredns: false, dashboard: true })).toEqual([{ name: "coredns", enabled: false }, { name: "dashboard" }]);
  });
});

describe("clusterBody", () => {
  it("leaves out what the template or platform decides", () => {
    expect(clusterBody(form({ version: "", addons: { coredns: true } }))).toEqual({ metadata: { name: "prod" }, spec: { addons: [{ name: "coredns" }] } });
  });

  it("sends version, template and exposure when chosen", () => {
    const body = clusterBody(form({ template: "small", exposure: "SharedSNI" }));
    expect(body.spec).toMatchObject({ version: "1.37.1", template: "small", exposure: { strategy: "SharedSNI" } });
  });
});

describe("poolBody", () => {
  it("names the cluster and counts replicas as a number", () => {
    expect(poolBody("prod", { name: "w", replicas: "3" })).toEqual({ metadata: { name: "w" }, spec: { clusterName: "prod", replicas: 3 } });
  });
});

describe("clusterFieldOf and poolPartOf", () => {
  it.each([
    ["metadata.name", "name"],
    ["spec.version", "version"],
    ["spec.template", "template"],
    ["spec.exposure.strategy", "exposure"],
    ["spec.addons[0].name", "addons"],
    ["metadata.namespace", "project"],
    ["spec.network.podCIDR", undefined],
    [undefined, undefined],
  ])("puts the API's %s beside %s", (field, expected) => {
    expect(clusterFieldOf(field)).toBe(expected);
  });

  it("maps a pool's fields to its row's inputs", () => {
    expect(poolPartOf("metadata.name")).toBe("name");
    expect(poolPartOf("spec.replicas")).toBe("replicas");
    expect(poolPartOf("spec.clusterName")).toBeUndefined();
  });
});
