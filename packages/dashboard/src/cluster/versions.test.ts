import { describe, expect, it } from "vitest";
import type { ClusterUpgradeStatus } from "../api/types.ts";
import { minorNumber, nextMinorOffer, rollbackAllowed, stepStates, upgradeUnderway } from "./versions.ts";

const offered = ["1.37.1", "1.36.3", "1.35.9"];
const upgrade = (change: Partial<ClusterUpgradeStatus>): ClusterUpgradeStatus => ({ from: "1.36.3", to: "1.37.1", phase: "Upgrading", step: "Etcd", startedTime: "2026-11-30T10:00:00Z", ...change });

describe("minorNumber", () => {
  it.each([["1.37", 37], ["1.37.1", 37], ["v1.36.0", 36], ["2.0", undefined], ["latest", undefined]])("reads %s as %s", (v, n) => {
    expect(minorNumber(v)).toBe(n);
  });
});

describe("nextMinorOffer", () => {
  it("offers the configured version of the next minor", () => {
    expect(nextMinorOffer("1.36.3", offered)).toBe("1.37.1");
    expect(nextMinorOffer("1.35.0", offered)).toBe("1.36.3");
  });

  it("offers nothing at the newest minor, beyond a gap, or without a running version", () => {
    expect(nextMinorOffer("1.37.1", offered)).toBeUndefined();
    expect(nextMinorOffer("1.33.2", offered)).toBeUndefined();
    expect(nextMinorOffer(undefined, offered)).toBeUndefined();
  });
});

describe("upgradeUnderway and rollbackAllowed", () => {
  it.each([
    ["Upgrading", false, true, true],
    ["Completed", false, false, true],
    ["Failed", false, false, true],
    ["Failed", true, false, false],
    ["RollingBack", true, true, false],
    ["RolledBack", true, false, false],
  ] as const)("%s (rollback %s): under way %s, roll back %s", (phase, rollback, underway, allowed) => {
    const status = upgrade({ phase, rollback });
    expect(upgradeUnderway(status)).toBe(underway);
    expect(rollbackAllowed(status)).toBe(allowed);
  });

  it("has nothing to roll back without an upgrade", () => {
    expect(rollbackAllowed(undefined)).toBe(false);
    expect(upgradeUnderway(undefined)).toBe(false);
  });
});

describe("stepStates", () => {
  it("marks the steps before the current one done", () => {
    expect(stepStates(upgrade({ step: "APIServer" })).map((s) => s.state)).toEqual(["done", "done", "current", "todo", "todo", "todo"]);
  });

  it("marks every step done once completed", () => {
    expect(stepStates(upgrade({ phase: "Completed", step: "Done" })).every((s) => s.state === "done")).toBe(true);
  });

  it("goes pools first when rolling back", () => {
    const states = stepStates(upgrade({ phase: "RollingBack", rollback: true, step: "Snapshot" }));
    expect(states.slice(0, 3)).toEqual([{ step: "NodePools", state: "done" }, { step: "Snapshot", state: "current" }, { step: "Etcd", state: "todo" }]);
  });
});
