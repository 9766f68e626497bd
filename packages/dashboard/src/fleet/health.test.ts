import { describe, expect, it } from "vitest";
import type { Cluster, Condition } from "../api/types.ts";
import { clusterHealth, healthReasons, healthTone } from "./health.ts";

function cluster(phase: NonNullable<Cluster["status"]>["phase"] | undefined, conditions: Partial<Condition>[]): Pick<Cluster, "status"> {
  return { status: { ...(phase === undefined ? {} : { phase }), conditions: conditions.map((c) => ({ type: "Ready", status: "True", ...c })) } };
}

describe("clusterHealth", () => {
  it.each([
    ["no status at all", { }, "Unknown"],
    ["no conditions yet", cluster("Provisioning", []), "Unknown"],
    ["Ready Unknown", cluster("Running", [{ status: "Unknown" }]), "Unknown"],
    ["every condition True", cluster("Running", [{}, { type: "EtcdReady" }, { type: "APIServerReady" }, { type: "BackupsHealthy" }]), "Healthy"],
    ["SpecSupported False only", cluster("Running", [{}, { type: "SpecSupported", status: "False", reason: "NotSupported" }]), "Healthy"],
    ["an upgrade under way", cluster("Upgrading", [{}, { type: "Upgrade", status: "False", reason: "Upgrading" }]), "Healthy"],
    ["an upgrade that failed", cluster("Running", [{}, { type: "Upgrade", status: "False", reason: "UpgradeFailed" }]), "Degraded"],
    ["backups failing", cluster("Running", [{}, { type: "BackupsHealthy", status: "False", reason: "BackupFailing" }]), "Degraded"],
    ["phase Degraded", cluster("Degraded", [{}]), "Degraded"],
    ["still provisioning", cluster("Provisioning", [{ status: "False", reason: "Provisioning" }]), "Degraded"],
    ["Ready False while Running", cluster("Running", [{ status: "False", reason: "ReconcileFailed" }]), "Unhealthy"],
    ["Ready False while Degraded", cluster("Degraded", [{ status: "False" }]), "Unhealthy"],
    ["phase Failed even with Ready True", cluster("Failed", [{}]), "Unhealthy"],
    ["phase Failed without conditions", cluster("Failed", []), "Unhealthy"],
  ])("%s", (_name, input, expected) => {
    expect(clusterHealth(input)).toBe(expected);
  });
});

describe("healthTone", () => {
  it("maps the lights to tones", () => {
    expect(["Healthy", "Degraded", "Unhealthy", "Unknown"].map((h) => healthTone(h as never))).toEqual(["ok", "warn", "bad", "neutral"]);
  });
});

describe("healthReasons", () => {
  it("names the conditions at fault and leaves out the ones that are not", () => {
    const input = cluster("Running", [{ status: "False", reason: "ReconcileFailed" }, { type: "AddonsReady", status: "False" }, { type: "SpecSupported", status: "False" }, { type: "EtcdReady" }]);
    expect(healthReasons(input)).toEqual(["Ready: ReconcileFailed", "AddonsReady: False"]);
  });
});
