import type { AddonStatus } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { addonsReadyCondition, addonStatusWrite } from "./status.ts";

const installed: AddonStatus = { name: "coredns", source: "BuiltIn", version: "1.15.0", ready: true, phase: "Installed" };
const waiting: AddonStatus = { name: "dashboard", source: "BuiltIn", version: "2.7.0", ready: false, phase: "Installing", message: "Deployment kubernetes-dashboard/kubernetes-dashboard: 0 of 1 replicas available" };
const failed: AddonStatus = { name: "hello", source: "Helm", version: "0.3.0", ready: false, phase: "Failed", message: "parse error at (hello/templates/cm.yaml:3)" };

describe("addonsReadyCondition", () => {
  it.each([
    { title: "no add-ons: no condition", addons: [], expected: undefined },
    { title: "all ready", addons: [installed], expected: { status: "True", reason: "AddonsInstalled", message: "coredns 1.15.0 installed and ready" } },
    { title: "one not ready", addons: [installed, waiting], expected: { status: "False", reason: "AddonsNotReady", message: "dashboard is not ready: Deployment kubernetes-dashboard/kubernetes-dashboard: 0 of 1 replicas available" } },
    { title: "a failure first", addons: [waiting, failed], expected: { status: "False", reason: "AddonFailed", message: "hello failed: parse error at (hello/templates/cm.yaml:3); dashboard is not ready: Deployment kubernetes-dashboard/kubernetes-dashboard: 0 of 1 replicas available" } },
  ])("$title", ({ addons, expected }) => {
    const condition = addonsReadyCondition(addons);
    if (expected === undefined) expect(condition).toBeUndefined();
    else expect(condition).toEqual({ type: "AddonsReady", ...expected });
  });
});

describe("addonStatusWrite", () => {
  it("writes nothing when the cluster shows the same add-ons and condition", () => {
    const first = addonStatusWrite(undefined, [installed], 1000);
    expect(first?.conditions[0]?.status).toBe("True");
    expect(addonStatusWrite({ addons: [installed], conditions: first?.conditions ?? [] }, [installed], 2000)).toBeUndefined();
  });

  it("writes a change, keeping the transition time while the condition's status holds", () => {
    const first = addonStatusWrite(undefined, [installed, waiting], 1000);
    const second = addonStatusWrite({ addons: [installed, waiting], conditions: first?.conditions ?? [] }, [installed, { ...waiting, message: "0 of 2" }], 5000);
    expect(second?.conditions[0]?.lastTransitionTime).toBe(first?.conditions[0]?.lastTransitionTime);
    expect(second?.conditions[0]?.message).toContain("0 of 2");
  });

  it("removes the condition when the last add-on is gone", () => {
    const first = addonStatusWrite(undefined, [installed], 1000);
    expect(addonStatusWrite({ addons: [installed], conditions: first?.conditions ?? [] }, [], 2000)).toEqual({ addons: [], conditions: [] });
  });
});
