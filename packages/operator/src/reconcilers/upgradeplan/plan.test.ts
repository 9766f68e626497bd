import { describe, expect, it } from "vitest";
import { decidePlan, type PlanState } from "./plan.ts";
import type { WindowState } from "./windows.ts";
import type { PlanCluster } from "./waves.ts";

const now = Date.parse("2026-11-29T12:00:00Z");
const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString();
const e = (name: string, wave: number, state: PlanCluster["state"], extra: Partial<PlanCluster> = {}): PlanCluster => ({ namespace: "project-a", name, wave, state, ...(state === "Pending" || state === "WaitingForWindow" ? {} : { startedTime: ago(600) }), ...extra });
const open: WindowState = { open: true };
const decide = (entries: PlanCluster[], extra: Partial<PlanState> = {}, spec: Partial<PlanState["spec"]> = {}): ReturnType<typeof decidePlan> =>
  decidePlan({ spec: { version: "1.37", paused: false, maxFailures: 1, soak: "5m", ...spec }, entries, soakMs: 300_000, now, windowOf: () => open, ...extra });
const started = (d: ReturnType<typeof decidePlan>): string[] => d.start.map((x) => x.name);

describe("decidePlan", () => {
  it.each([
    ["the canary starts alone first", [e("a", 0, "Pending"), e("b", 1, "Pending"), e("c", 1, "Pending")], ["a"], "Progressing", 0],
    ["the next wave waits while the canary soaks", [e("a", 0, "Soaking", { upgradedTime: ago(60) }), e("b", 1, "Pending"), e("c", 1, "Pending")], [], "Soaking", 0],
    ["the next wave starts whole once the canary is Upgraded", [e("a", 0, "Upgraded"), e("b", 1, "Pending"), e("c", 1, "Pending"), e("d", 2, "Pending")], ["b", "c"], "Progressing", 1],
    ["a wave whose clusters soaked or failed (below maxFailures) lets the next start", [e("a", 0, "Upgraded"), e("b", 1, "Failed"), e("c", 1, "Upgraded"), e("d", 2, "Pending")], ["d"], "Progressing", 2],
    ["a wave with one cluster still upgrading holds the next", [e("a", 0, "Upgraded"), e("b", 1, "Upgraded"), e("c", 1, "Upgrading"), e("d", 2, "Pending")], [], "Progressing", 1],
  ] as const)("%s", (_title, entries, start, phase, wave) => {
    const d = decide([...entries], {}, { maxFailures: 2 });
    expect(started(d)).toEqual(start);
    expect(d.phase).toBe(phase);
    expect(d.currentWave).toBe(wave);
  });

  it("marks what it starts Upgrading, with the time", () => {
    const d = decide([e("a", 0, "Pending")]);
    expect(d.entries[0]).toMatchObject({ state: "Upgrading", startedTime: ago(0), message: "starting its upgrade to 1.37" });
  });

  it("halts once failures reach maxFailures: nothing new starts, the failed clusters are named", () => {
    const d = decide([e("a", 0, "Upgraded"), e("b", 1, "Failed", { message: "the upgrade failed: stuck" }), e("c", 1, "Upgraded"), e("d", 2, "Pending")]);
    expect(started(d)).toEqual([]);
    expect(d.phase).toBe("Halted");
    expect(d.ready).toEqual({ status: "False", reason: "Halted", message: "halted after 1 failure(s) (maxFailures 1): project-a/b (the upgrade failed: stuck); no new cluster starts (upgrades under way finish); 2 of 4 cluster(s) at 1.37" });
  });

  it("counts rolled-back clusters as failures", () => {
    expect(decide([e("a", 0, "RolledBack"), e("b", 1, "Pending")]).phase).toBe("Halted");
  });

  it("starts nothing while paused, and says so", () => {
    const d = decide([e("a", 0, "Upgraded"), e("b", 1, "Pending")], {}, { paused: true });
    expect(started(d)).toEqual([]);
    expect(d.phase).toBe("Paused");
    expect(d.ready.reason).toBe("Paused");
    expect(d.ready.message).toMatch(/^paused at wave 1 of 2 .*: no new cluster starts until spec.paused is false; 1 of 2 cluster\(s\) at 1.37$/);
  });

  it("lets a cluster whose window is closed wait, and comes back when it opens", () => {
    const opens = now + 3_600_000;
    const d = decide([e("a", 0, "Pending"), e("b", 0, "Pending")], { windowOf: (x) => (x.name === "a" ? { open: false, nextOpen: opens } : open) });
    expect(started(d)).toEqual(["b"]);
    expect(d.entries[0]).toMatchObject({ state: "WaitingForWindow", message: "waiting for a maintenance window of the cluster (or its project): the next opens at 2026-11-29T13:00:00.000Z" });
    expect(d.wakeAt).toBe(opens);
    const waiting = decide([e("a", 0, "Pending")], { windowOf: () => ({ open: false, nextOpen: opens }) });
    expect(waiting.phase).toBe("Pending");
    expect(waiting.ready.reason).toBe("WaitingForWindow");
  });

  it("reports the soak's end and comes back then", () => {
    const d = decide([e("a", 0, "Soaking", { upgradedTime: ago(60) }), e("b", 0, "Soaking", { upgradedTime: ago(10) }), e("c", 1, "Pending")]);
    expect(d.soakUntil).toBe(new Date(now - 10_000 + 300_000).toISOString());
    expect(d.wakeAt).toBe(now - 60_000 + 300_000);
  });

  it("completes when every wave is done, with the counts", () => {
    const d = decide([e("a", 0, "Upgraded"), e("b", 1, "Upgraded")]);
    expect(d.phase).toBe("Completed");
    expect(d.currentWave).toBeUndefined();
    expect(d.counts).toEqual({ selected: 2, pending: 0, upgrading: 0, upgraded: 2, failed: 0 });
    expect(d.ready).toEqual({ status: "True", reason: "Completed", message: "every selected cluster is at 1.37" });
  });

  it("completes at once when nothing was selected", () => {
    expect(decide([]).ready).toEqual({ status: "True", reason: "Completed", message: "no cluster matched the plan's selector and projects when it started" });
  });

  it("counts each state", () => {
    const d = decide([e("a", 0, "Upgraded"), e("b", 1, "Upgrading"), e("c", 1, "Soaking", { upgradedTime: ago(1) }), e("d", 2, "Pending"), e("f", 2, "WaitingForWindow")], {}, { maxFailures: 5 });
    expect(d.counts).toEqual({ selected: 5, pending: 2, upgrading: 2, upgraded: 1, failed: 0 });
    expect(d.waves).toBe(3);
  });
});
