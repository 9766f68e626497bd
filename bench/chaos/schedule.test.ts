import { describe, expect, it } from "vitest";
import { chaosSchedule, nextAction, quantile, seededRandom, type ScheduleOptions } from "./schedule.ts";

const options: ScheduleOptions = { seed: 7, kills: 200, clusters: 3, maxReplicas: 3, maxKillDelayMs: 10_000, unsettledShare: 0.2 };

describe("chaosSchedule", () => {
  it("gives the same plan for the same seed and another for another seed", () => {
    expect(chaosSchedule(options)).toEqual(chaosSchedule(options));
    expect(chaosSchedule({ ...options, seed: 8 })).not.toEqual(chaosSchedule(options));
  });

  it.each([1, 2, 3, 42, 9999])("with seed %i keeps at most `clusters` alive and acts only on clusters that exist", (seed) => {
    const alive = new Map<string, number>();
    for (const { action, killDelayMs } of chaosSchedule({ ...options, seed })) {
      expect(killDelayMs).toBeGreaterThanOrEqual(0);
      expect(killDelayMs).toBeLessThanOrEqual(options.maxKillDelayMs);
      if (action.type === "create") {
        expect(alive.has(action.cluster)).toBe(false);
        alive.set(action.cluster, action.replicas);
      } else if (action.type === "scale") {
        expect(alive.get(action.cluster)).not.toBe(action.replicas);
        expect(alive.has(action.cluster)).toBe(true);
        alive.set(action.cluster, action.replicas);
      } else if (action.type === "delete") {
        expect(alive.delete(action.cluster)).toBe(true);
      }
      expect(alive.size).toBeLessThanOrEqual(options.clusters);
      for (const replicas of alive.values()) expect(replicas).toBeLessThanOrEqual(options.maxReplicas);
    }
  });

  it("uses every kind of action and settles after the last step", () => {
    const steps = chaosSchedule(options);
    expect(new Set(steps.map((s) => s.action.type))).toEqual(new Set(["create", "scale", "delete", "none"]));
    expect(steps.at(-1)?.settle).toBe(true);
    expect(steps.some((s) => !s.settle)).toBe(true);
  });
});

describe("nextAction", () => {
  it.each([
    { alive: 0, max: 3, draw: 0.99, expected: "create" },
    { alive: 1, max: 3, draw: 0, expected: "create" },
    { alive: 1, max: 3, draw: 0.35, expected: "scale" },
    { alive: 1, max: 3, draw: 0.75, expected: "delete" },
    { alive: 1, max: 3, draw: 0.95, expected: "none" },
    { alive: 3, max: 3, draw: 0, expected: "scale" },
    { alive: 3, max: 3, draw: 0.6, expected: "delete" },
  ])("with $alive of $max alive and draw $draw takes $expected", ({ alive, max, draw, expected }) => {
    expect(nextAction(alive, max, draw)).toBe(expected);
  });
});

describe("seededRandom and quantile", () => {
  it("draws in [0, 1) and repeats its sequence", () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  it.each([
    { samples: [], q: 0.5, expected: undefined },
    { samples: [5], q: 0.99, expected: 5 },
    { samples: [4, 1, 3, 2], q: 0.5, expected: 2 },
    { samples: Array.from({ length: 100 }, (_, i) => i + 1), q: 0.99, expected: 99 },
  ])("quantile $q of $samples.length samples is $expected", ({ samples, q, expected }) => {
    expect(quantile(samples, q)).toBe(expected);
  });
});
