import type { Addon, AddonStatus, Cluster, ClusterTemplate } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { addonRemoval, addonsPatch, addonView, addonViews, upsertAddon } from "./addon-view.ts";

const chart = { repository: "oci://charts.example.com/team", chart: "podinfo", version: "6.9.0", namespace: "apps" };
const podinfo: Addon = { name: "podinfo", enabled: true, helm: chart };
const installed = (name: string, fields: Partial<AddonStatus> = {}): AddonStatus => ({ name, source: "BuiltIn", ready: true, phase: "Installed", ...fields });

function cluster(addons?: Addon[], statuses?: AddonStatus[]): Cluster {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "Cluster",
    metadata: { name: "web", namespace: "project-a", resourceVersion: "42" },
    spec: addons === undefined ? {} : { addons },
    ...(statuses === undefined ? {} : { status: { addons: statuses } }),
  } as Cluster;
}

function template(addons: Addon[]): ClusterTemplate {
  return { apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterTemplate", metadata: { name: "standard" }, spec: { addons } };
}

describe("an add-on's view", () => {
  it.each([
    { case: "asked for, not installed yet", spec: podinfo, status: undefined, phase: "Pending", source: "Helm", ready: false },
    { case: "a built-in asked for", spec: { name: "dashboard", enabled: true }, status: undefined, phase: "Pending", source: "BuiltIn", ready: false },
    { case: "turned off and gone", spec: { name: "coredns", enabled: false }, status: undefined, phase: "Disabled", source: "BuiltIn", ready: false },
    { case: "installed", spec: podinfo, status: installed("podinfo", { source: "Helm", version: "6.9.0" }), phase: "Installed", source: "Helm", ready: true },
    { case: "failing", spec: podinfo, status: installed("podinfo", { source: "Helm", phase: "Failed", ready: false, message: "no chart" }), phase: "Failed", source: "Helm", ready: false },
    { case: "turned off, being removed", spec: { name: "coredns", enabled: false }, status: installed("coredns", { phase: "Removing", ready: false }), phase: "Removing", source: "BuiltIn", ready: false },
    { case: "installed by the platform alone", spec: undefined, status: installed("coredns"), phase: "Installed", source: "BuiltIn", ready: true },
    { case: "neither asked for nor installed", spec: undefined, status: undefined, phase: "Removed", source: "BuiltIn", ready: false },
  ])("$case: $phase", ({ spec, status, phase, source, ready }) => {
    const view = addonView("x", spec, status);
    expect({ phase: view.phase, source: view.source, ready: view.ready }).toEqual({ phase, source, ready });
    expect(view.spec).toEqual(spec);
    expect(view.status).toEqual(status);
  });

  it("merges spec and status by name, with the platform's add-ons that have no entry, sorted by name", () => {
    const views = addonViews(cluster([podinfo, { name: "metrics-server", enabled: true }], [installed("coredns"), installed("podinfo", { source: "Helm", phase: "Installing", ready: false })]));
    expect(views.map((v) => [v.name, v.phase, v.spec !== undefined, v.status !== undefined])).toEqual([
      ["coredns", "Installed", false, true],
      ["metrics-server", "Pending", true, false],
      ["podinfo", "Installing", true, true],
    ]);
  });

  it("is empty for a cluster without add-ons", () => {
    expect(addonViews(cluster())).toEqual([]);
  });
});

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
    expect(addonRemoval([], template([podinfo]), "podinfo")).toEqual({ outcome: "disabled", addons: [{ ...podinfo, enabled: false }] });
    const own = { ...podinfo, helm: { ...chart, values: { replicaCount: 2 } } };
    expect(addonRemoval([own], template([podinfo]), "podinfo")).toEqual({ outcome: "disabled", addons: [{ ...own, enabled: false }] });
  });

  it("finds nothing to take away for a name nobody asks for", () => {
    expect(addonRemoval([podinfo], template([]), "grafana")).toBeUndefined();
  });
});
