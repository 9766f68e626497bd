import type { V1Node } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Machine } from "@seedbed/providers";
import type { MachineView } from "./machines.ts";
import { planMachines, planRollout, versionState, type RolloutLimits } from "./rollout.ts";

const target = "1.37.1";
/** A machine: `version` is what its Node reports (undefined: no Node yet). */
const view = (name: string, version: string | undefined, options: { ready?: boolean; created?: string; cordoned?: boolean; phase?: Machine["phase"]; pods?: number; since?: number } = {}): MachineView => {
  const node: V1Node | undefined = version === undefined ? undefined : { metadata: { name }, spec: { unschedulable: options.cordoned === true }, status: { nodeInfo: { kubeletVersion: `v${version}` } as NonNullable<V1Node["status"]>["nodeInfo"] } };
  const ready = options.ready ?? version !== undefined;
  return {
    machine: { name, nodeName: name, providerID: `kwok://c/${name}`, phase: options.phase ?? "Running", createdAt: options.created ?? `2026-01-01T00:00:0${name.slice(-1)}Z` },
    node,
    ready,
    notReadySince: ready ? undefined : (options.since ?? 0),
    movablePods: options.pods ?? 0,
  };
};
const old = (name: string, options: Parameters<typeof view>[2] = {}): MachineView => view(name, "1.36.3", options);
const updated = (name: string, options: Parameters<typeof view>[2] = {}): MachineView => view(name, target, options);
const surge1: RolloutLimits = { maxSurge: 1, maxUnavailable: 0 };
const names = (views: readonly MachineView[]): string[] => views.map((v) => v.machine.name);

describe("versionState", () => {
  it.each([
    { reported: "1.37.1", target: "1.37.1", state: "updated" },
    { reported: "1.36.3", target: "1.37.1", state: "outdated" },
    { reported: "1.37.0", target: "1.37.1", state: "outdated" },
    { reported: "1.36.3", target: "1.36", state: "updated" },
    { reported: "1.37.1", target: "1.36", state: "outdated" },
    { reported: undefined, target: "1.37.1", state: "unknown" },
  ])("a Node reporting kubelet $reported against $target is $state", ({ reported, target: wanted, state }) => {
    expect(versionState(view("m1", reported), wanted)).toBe(state);
  });
});

describe("versionState during a CA rotation", () => {
  const prepared = Date.parse("2026-01-01T00:00:05Z");
  it.each([
    { name: "made before the rotation was Prepared", created: "2026-01-01T00:00:01Z", reported: target, state: "outdated" },
    { name: "made before, no Node yet", created: "2026-01-01T00:00:01Z", reported: undefined, state: "outdated" },
    { name: "made after", created: "2026-01-01T00:00:09Z", reported: target, state: "updated" },
  ])("a machine $name is $state", ({ created, reported, state }) => {
    expect(versionState(view("m1", reported, { created }), target, prepared)).toBe(state);
  });

  it("replaces machines of the right version made before, one at a time within the limits", () => {
    const machines = [updated("a1", { created: "2026-01-01T00:00:01Z" }), updated("a2", { created: "2026-01-01T00:00:02Z" })];
    const first = planMachines({ desired: 2, machines, healing: { enabled: true, notReadyTimeoutMs: 300_000 }, now: prepared, target, limits: surge1, trustedSince: prepared });
    expect(first).toMatchObject({ create: 1, outdated: 2 });
    expect(names(first.retire)).toEqual([]);
    // Without the rotation nothing is to be done.
    expect(planMachines({ desired: 2, machines, healing: { enabled: true, notReadyTimeoutMs: 300_000 }, now: prepared, target, limits: surge1 })).toMatchObject({ create: 0, outdated: 0 });
  });
});

describe("planRollout", () => {
  const cases: { title: string; desired: number; machines: MachineView[]; limits?: RolloutLimits; create: number; retire: string[]; remove?: string[] }[] = [
    { title: "maxSurge 1: makes one new machine first, retires nothing yet", desired: 3, machines: [old("a1"), old("a2"), old("a3")], create: 1, retire: [] },
    { title: "maxSurge 1: waits while the surge machine has no Node", desired: 3, machines: [old("a1"), old("a2"), old("a3"), view("n1", undefined)], create: 0, retire: [] },
    { title: "maxSurge 1: waits while the surge machine is not Ready", desired: 3, machines: [old("a1"), old("a2"), old("a3"), updated("n1", { ready: false })], create: 0, retire: [] },
    { title: "maxSurge 1: retires the oldest outdated machine once the surge one is Ready", desired: 3, machines: [old("a3"), old("a1"), old("a2"), updated("n1")], create: 0, retire: ["a1"] },
    { title: "keeps on with a drain under way (cordoned) rather than start another", desired: 3, machines: [old("a1"), old("a2", { cordoned: true }), old("a3"), updated("n1")], create: 0, retire: ["a2"] },
    { title: "an unready outdated machine goes first (it costs no availability), and alone within maxUnavailable 0", desired: 3, machines: [old("a1"), old("a2", { ready: false }), old("a3"), updated("n1")], create: 0, retire: ["a2"] },
    { title: "after a retirement, the next surge machine", desired: 3, machines: [old("a2"), old("a3"), updated("n1")], create: 1, retire: [] },
    { title: "the last outdated machine goes once 3 new ones are Ready", desired: 3, machines: [old("a3"), updated("n1"), updated("n2"), updated("n3")], create: 0, retire: ["a3"] },
    { title: "maxUnavailable 1, maxSurge 0: retires one first, never makes beyond replicas", desired: 3, machines: [old("a1"), old("a2"), old("a3")], limits: { maxSurge: 0, maxUnavailable: 1 }, create: 0, retire: ["a1"] },
    { title: "maxUnavailable 1, maxSurge 0: then fills the gap, and waits for it", desired: 3, machines: [old("a2"), old("a3"), view("n1", undefined)], limits: { maxSurge: 0, maxUnavailable: 1 }, create: 0, retire: [] },
    { title: "maxUnavailable 1, maxSurge 0: makes the missing one at the target", desired: 3, machines: [old("a2"), old("a3")], limits: { maxSurge: 0, maxUnavailable: 1 }, create: 1, retire: [] },
    { title: "maxSurge 2, maxUnavailable 1: makes two and retires one at once", desired: 3, machines: [old("a1"), old("a2"), old("a3")], limits: { maxSurge: 2, maxUnavailable: 1 }, create: 2, retire: ["a1"] },
    { title: "a machine already being deleted counts against the surge limit", desired: 3, machines: [old("a2"), old("a3"), updated("n1"), old("a1", { phase: "Deleting" })], create: 0, retire: [] },
    { title: "replicas lowered mid-rollout: outdated machines are the surplus", desired: 1, machines: [old("a1"), old("a2"), old("a3"), updated("n1", { pods: 5 })], create: 0, remove: ["a3", "a2"], retire: ["a1"] },
    { title: "replicas raised mid-rollout: the new machines are made at the target, within the surge", desired: 5, machines: [old("a1"), old("a2"), old("a3")], create: 3, retire: [] },
    { title: "scaled to zero: every outdated machine goes", desired: 0, machines: [old("a1"), old("a2")], create: 0, remove: ["a2"], retire: ["a1"] },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const plan = planRollout(c.desired, c.machines, target, c.limits ?? surge1);
      expect(plan.create).toBe(c.create);
      expect(names(plan.retire)).toEqual(c.retire);
      expect(names(plan.remove)).toEqual(c.remove ?? []);
    });
  }

  it("never holds more than replicas + maxSurge machines nor fewer than replicas - maxUnavailable Ready ones, pass after pass, to the end", () => {
    for (const limits of [surge1, { maxSurge: 0, maxUnavailable: 1 }, { maxSurge: 2, maxUnavailable: 1 }, { maxSurge: 3, maxUnavailable: 0 }]) {
      let machines = [old("a1"), old("a2"), old("a3"), old("a4")];
      let made = 0;
      const done = (): boolean => machines.length === 4 && machines.every((m) => m.ready && versionState(m, target) === "updated");
      for (let pass = 0; pass < 40 && !done(); pass++) {
        const plan = planMachines({ desired: 4, machines, healing: { enabled: false, notReadyTimeoutMs: 0 }, now: 0, target, limits });
        machines = machines.filter((m) => !plan.retire.includes(m) && !plan.remove.includes(m));
        // New machines come up not Ready, without a Node; a pass later they are Ready.
        machines = machines.map((m) => (m.node === undefined ? updated(m.machine.name) : m));
        for (let i = 0; i < plan.create; i++) machines.push(view(`n${String(made++)}`, undefined));
        expect(machines.length, JSON.stringify(limits)).toBeLessThanOrEqual(4 + limits.maxSurge);
        expect(machines.filter((m) => m.ready).length, JSON.stringify(limits)).toBeGreaterThanOrEqual(4 - limits.maxUnavailable);
      }
      expect(done(), JSON.stringify(limits)).toBe(true);
    }
  });
});

describe("planMachines", () => {
  const healing = { enabled: true, notReadyTimeoutMs: 60_000 };
  it("leaves a pool without outdated machines to planScaling", () => {
    const plan = planMachines({ desired: 1, machines: [updated("n1"), updated("n2", { pods: 3 })], healing, now: 1000, target, limits: surge1 });
    expect(names(plan.remove)).toEqual(["n1"]);
    expect(plan).toMatchObject({ create: 0, retire: [], outdated: 0 });
  });

  it("keeps the surge machine a rollout made instead of scaling it down", () => {
    const plan = planMachines({ desired: 3, machines: [old("a1"), old("a2"), old("a3"), updated("n1")], healing, now: 1000, target, limits: surge1 });
    expect(plan.remove).toEqual([]);
    expect(names(plan.retire)).toEqual(["a1"]);
    expect(plan.outdated).toBe(3);
  });

  it("replaces a broken outdated machine at once (auto-healing) and makes its replacement at the target", () => {
    const plan = planMachines({ desired: 3, machines: [old("a1", { ready: false, since: 0 }), old("a2"), old("a3")], healing, now: 120_000, target, limits: surge1 });
    expect(names(plan.replace)).toEqual(["a1"]);
    expect(plan.create).toBe(2);
    expect(plan.retire).toEqual([]);
    expect(plan.outdated).toBe(2);
  });
});
