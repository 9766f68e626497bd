import { describe, expect, it } from "vitest";
import { addonRemoval, addonsPatch, upsertAddon } from "./addon-edits.ts";
import type { Addon, Cluster } from "./cluster.ts";

const chart = { repository: "oci://charts.example.com/team", chart: "podinfo", version: "6.9.0", namespace: "apps" };
const podinfo: Addon = { name: "podinfo", enabled: true, helm: chart };
const cluster = (): Cluster => ({ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { name: "web", namespace: "project-a", resourceVersion: "42" }, spec: {} }) as Cluster;

describe("setting an add-on", () => {
  it("replaces the entry of its name in place, keeping the others and their order", () => {
    const upgraded = { ...podinfo, helm: { ...chart, version: "6.10.0" } };
    expect(upsertAddon([{ name: "coredns", enabled: false }, podinfo, { name: "dashboard", enabled: true }], upgraded)).toEqual([{ name: "coredns", enabled: false }, upgraded, { name: "dashboard", enabled: true }]);
  });

  it("adds a new one at the end", () => {
    expect(upsertAddon([podinfo], { name: "metrics-server", enabled: true })).toEqual([podinfo, { name: "metrics-server", enabled: true }]);
  });

  it("patches spec.addons with the resourceVersion read, and removes the field when the list is empty", () => {
    expect(addonsPatch(cluster(), [podinfo])).toEqual({ metadata: { resourceVersion: "42" }, spec: { addons: [podinfo] } });
    expect(addonsPatch(cluster(), [])).toEqual({ metadata: { resourceVersion: "42" }, spec: { addons: null } });
  });
});

describe("taking an add-on away", () => {
  it("removes a Helm add-on only the cluster asks for", () => {
    expect(addonRemoval([podinfo, { name: "dashboard", enabled: true }], undefined, "podinfo")).toEqual({ outcome: "removed", addons: [{ name: "dashboard", enabled: true }] });
  });

  it("turns off the platform's CoreDNS, which would come back without an entry", () => {
    expect(addonRemoval([], undefined, "coredns")).toEqual({ outcome: "disabled", addons: [{ name: "coredns", enabled: false }] });
  });

  it.each(["metrics-server", "dashboard", "calico"])("keeps a built-in's entry (%s) with enabled: false: the platform, a template or spec.network.cni may ask for it", (name) => {
    expect(addonRemoval([{ name, enabled: true }], undefined, name)).toEqual({ outcome: "disabled", addons: [{ name, enabled: false }] });
  });

  it("keeps a Helm add-on the template lists, off, with the chart its entry needs", () => {
    expect(addonRemoval([], podinfo, "podinfo")).toEqual({ outcome: "disabled", addons: [{ ...podinfo, enabled: false }] });
    const own = { ...podinfo, helm: { ...chart, values: { replicaCount: 2 } } };
    expect(addonRemoval([own], podinfo, "podinfo")).toEqual({ outcome: "disabled", addons: [{ ...own, enabled: false }] });
  });

  it("finds nothing to take away for a name nobody asks for", () => {
    expect(addonRemoval([podinfo], undefined, "grafana")).toBeUndefined();
  });
});
