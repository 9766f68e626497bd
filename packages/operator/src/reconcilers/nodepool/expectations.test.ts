import { describe, expect, it } from "vitest";
import type { Machine } from "@seedbed/providers";
import { MachineExpectations } from "./expectations.ts";

const machine = (name: string, phase: Machine["phase"] = "Running"): Machine => ({ name, nodeName: name, providerID: `kwok://c/${name}`, phase, createdAt: "2026-01-01T00:00:00Z" });

describe("MachineExpectations", () => {
  it("holds a pool back until its listing shows the machine it made", () => {
    const expected = new MachineExpectations(30_000);
    expected.made("ns/p", "p-1", 0);
    expect(expected.satisfied("ns/p", [machine("p-0")], 100)).toBe(false);
    expect(expected.satisfied("ns/p", [machine("p-0"), machine("p-1")], 200)).toBe(true);
    expect(expected.satisfied("ns/p", [], 300)).toBe(true);
  });

  it("holds a pool back until the machine it removed is gone or going", () => {
    const expected = new MachineExpectations(30_000);
    expected.removed("ns/p", "p-0", 0);
    expect(expected.satisfied("ns/p", [machine("p-0")], 100)).toBe(false);
    expect(expected.satisfied("ns/p", [machine("p-0", "Deleting")], 200)).toBe(true);
  });

  it("lets go after its time, and keeps pools apart", () => {
    const expected = new MachineExpectations(30_000);
    expected.made("ns/p", "p-1", 0);
    expect(expected.satisfied("ns/q", [], 100)).toBe(true);
    expect(expected.satisfied("ns/p", [], 29_999)).toBe(false);
    expect(expected.satisfied("ns/p", [], 30_000)).toBe(true);
  });
});
