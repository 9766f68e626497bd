import { describe, expect, it } from "vitest";
import { clusterOwnedStatus } from "./status-owner.ts";

const condition = (type: string): { type: string; status: "True"; reason: string; message: string; lastTransitionTime: string } => ({ type, status: "True", reason: "R", message: "", lastTransitionTime: "2026-11-30T00:00:00Z" });

describe("clusterOwnedStatus", () => {
  it("leaves out status.addons and AddonsReady, which the add-on controller owns, and keeps the rest", () => {
    const owned = clusterOwnedStatus({ phase: "Running", addons: [{ name: "coredns", source: "BuiltIn", ready: true, phase: "Installed" }], conditions: [condition("Ready"), condition("AddonsReady"), condition("EtcdReady")] });
    expect(owned).toEqual({ phase: "Running", conditions: [condition("Ready"), condition("EtcdReady")] });
  });

  it("passes a status without conditions through", () => {
    expect(clusterOwnedStatus({ phase: "Pending" })).toEqual({ phase: "Pending" });
  });
});
