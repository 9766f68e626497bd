import type { Addon, AddonStatus, Cluster } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { addonView, addonViews } from "./addon-view.ts";

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
