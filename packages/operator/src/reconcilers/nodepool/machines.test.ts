import { describe, expect, it } from "vitest";
import type { Machine } from "@seedbed/providers";
import { planScaling, type MachineView } from "./machines.ts";

const machine = (name: string, createdAt: string, phase: Machine["phase"] = "Running"): Machine => ({ name, nodeName: name, providerID: `kwok://c/${name}`, phase, createdAt });
const view = (name: string, options: { ready?: boolean; since?: number; pods?: number; created?: string; phase?: Machine["phase"] } = {}): MachineView => ({
  machine: machine(name, options.created ?? "2026-01-01T00:00:00Z", options.phase),
  node: undefined,
  ready: options.ready ?? true,
  notReadySince: options.ready === false ? (options.since ?? 0) : undefined,
  movablePods: options.pods ?? 0,
});
const healing = { enabled: true, notReadyTimeoutMs: 60_000 };

describe("planScaling", () => {
  it("makes the missing machines", () => {
    expect(planScaling(3, [view("a")], healing, 1000)).toMatchObject({ create: 2, remove: [], replace: [] });
  });

  it("removes unready machines first, then the emptiest, then the newest", () => {
    const machines = [view("busy", { pods: 5 }), view("empty-old", { created: "2026-01-01T00:00:00Z" }), view("empty-new", { created: "2026-02-01T00:00:00Z" }), view("broken", { ready: false, since: 900 })];
    const plan = planScaling(1, machines, healing, 1000);
    expect(plan.remove.map((m) => m.machine.name)).toEqual(["broken", "empty-new", "empty-old"]);
    expect(plan.create).toBe(0);
  });

  it("replaces a machine unready past the timeout and tells when the next one is due", () => {
    const plan = planScaling(2, [view("dead", { ready: false, since: 0 }), view("sick", { ready: false, since: 50_000 })], healing, 61_000);
    expect(plan.replace.map((m) => m.machine.name)).toEqual(["dead"]);
    expect(plan.create).toBe(1);
    expect(plan.nextHealingAt).toBe(110_000);
  });

  it("replaces nothing when auto-healing is off, and ignores machines already going", () => {
    const plan = planScaling(1, [view("dead", { ready: false, since: 0 }), view("going", { phase: "Deleting" })], { ...healing, enabled: false }, 1e9);
    expect(plan).toMatchObject({ create: 0, remove: [], replace: [], nextHealingAt: undefined });
  });
});
