import { describe, expect, it } from "vitest";
import { componentHealth, type PodStatus } from "./observe.ts";

const waiting = (reason: string, message = ""): PodStatus => ({ status: { phase: "Pending", containerStatuses: [{ restartCount: 4, state: { waiting: { reason, message } } }] } });
const unschedulable: PodStatus = { status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu." }] } };

describe("componentHealth", () => {
  it.each([
    { title: "all replicas ready", workload: { spec: { replicas: 2 }, status: { readyReplicas: 2, updatedReplicas: 2 } }, pods: [], ready: true, message: undefined },
    { title: "not created", workload: undefined, pods: [], ready: false, message: "etcd has not been created yet" },
    { title: "a crash loop", workload: { spec: { replicas: 1 }, status: {} }, pods: [waiting("CrashLoopBackOff", "back-off 5m0s")], ready: false, message: "etcd: CrashLoopBackOff (back-off 5m0s)" },
    { title: "an image that cannot be pulled", workload: { spec: { replicas: 1 }, status: {} }, pods: [waiting("ImagePullBackOff")], ready: false, message: "etcd: ImagePullBackOff" },
    { title: "no room on the seed", workload: { spec: { replicas: 1 }, status: {} }, pods: [unschedulable], ready: false, message: "etcd: Unschedulable (0/3 nodes are available: 3 Insufficient cpu.)" },
    { title: "still rolling", workload: { spec: { replicas: 3 }, status: { readyReplicas: 3, updatedReplicas: 1 } }, pods: [], ready: false, message: "etcd: 3 of 3 replicas ready, 1 updated" },
    { title: "a change not yet seen by the workload controller", workload: { metadata: { generation: 3 }, spec: { replicas: 2 }, status: { readyReplicas: 2, updatedReplicas: 2, observedGeneration: 2 } }, pods: [], ready: false, message: "etcd: rolling out a change (2 of 2 replicas ready)" },
    { title: "a surge pod that never starts beside the old ready one", workload: { metadata: { generation: 3 }, spec: { replicas: 1 }, status: { replicas: 2, readyReplicas: 1, updatedReplicas: 1, observedGeneration: 3 } }, pods: [], ready: false, message: "etcd: rolling out a change (1 of 1 replicas ready)" },
    { title: "a change seen and rolled out", workload: { metadata: { generation: 3 }, spec: { replicas: 2 }, status: { readyReplicas: 2, updatedReplicas: 2, observedGeneration: 3 } }, pods: [], ready: true, message: undefined },
  ])("$title", ({ workload, pods, ready, message }) => {
    const health = componentHealth("etcd", workload, pods);
    expect(health.ready).toBe(ready);
    expect(health.message).toBe(message);
  });

  it.each([
    { title: "serves while a rollout is incomplete", workload: { spec: { replicas: 3 }, status: { readyReplicas: 2, updatedReplicas: 1 } }, serving: true },
    { title: "does not serve with no replica ready", workload: { spec: { replicas: 1 }, status: { readyReplicas: 0 } }, serving: false },
  ])("$title", ({ workload, serving }) => {
    expect(componentHealth("kube-apiserver", workload, []).serving).toBe(serving);
  });

  it("counts restarts across pods", () => {
    expect(componentHealth("etcd", { spec: { replicas: 2 }, status: {} }, [waiting("CrashLoopBackOff"), waiting("CrashLoopBackOff")]).restarts).toBe(8);
  });
});
