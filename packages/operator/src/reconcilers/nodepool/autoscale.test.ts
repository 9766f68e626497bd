import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { autoscale, fitsShape, machinesFor, type AutoscaleInput, type NodeShape } from "./autoscale.ts";

const shape: NodeShape = { milliCPU: 2000, memory: 4 * 2 ** 30, pods: 110, labels: { pool: "a" }, taints: [] };
const pod = (cpu: string, extra: Partial<NonNullable<V1Pod["spec"]>> = {}): V1Pod => ({ spec: { containers: [{ name: "c", resources: { requests: { cpu, memory: "100Mi" } } }], ...extra } });
const base: AutoscaleInput = { replicas: 1, min: 1, max: 10, shape, unschedulable: [], upcoming: 0, emptySince: new Map(), scaleDownDelayMs: 60_000, now: 100_000 };

describe("autoscale", () => {
  it("grows by the machines the unschedulable pods need, minus those on their way, within max", () => {
    const pods = Array.from({ length: 30 }, () => pod("500m")); // 4 per machine → 8 machines
    expect(machinesFor(pods, shape)).toBe(8);
    expect(autoscale({ ...base, unschedulable: pods })).toMatchObject({ replicas: 9 });
    expect(autoscale({ ...base, unschedulable: pods, upcoming: 3 })).toMatchObject({ replicas: 6 });
    expect(autoscale({ ...base, unschedulable: pods, max: 4 })).toMatchObject({ replicas: 4 });
  });

  it("ignores pods no machine of the pool could take", () => {
    expect(fitsShape(pod("3"), shape)).toBe(false);
    expect(fitsShape(pod("1", { nodeSelector: { pool: "b" } }), shape)).toBe(false);
    expect(fitsShape(pod("1"), { ...shape, taints: [{ key: "gpu", effect: "NoSchedule" }] })).toBe(false);
    expect(fitsShape(pod("1", { tolerations: [{ key: "gpu", operator: "Exists" }] }), { ...shape, taints: [{ key: "gpu", effect: "NoSchedule" }] })).toBe(true);
    expect(autoscale({ ...base, unschedulable: [pod("3")] }).replicas).toBe(1);
  });

  it("shrinks by the machines empty for the delay, never below min, and says when to look again", () => {
    const emptySince = new Map([["a", 0], ["b", 30_000], ["c", 90_000]]);
    expect(autoscale({ ...base, replicas: 5, emptySince })).toEqual({ replicas: 3, reason: "2 machines had nothing to run for 60 s", recheckAt: 150_000 });
    expect(autoscale({ ...base, replicas: 2, min: 2, emptySince }).replicas).toBe(2);
  });

  it("brings replicas back within bounds", () => {
    expect(autoscale({ ...base, replicas: 0, min: 2 }).replicas).toBe(2);
  });
});
