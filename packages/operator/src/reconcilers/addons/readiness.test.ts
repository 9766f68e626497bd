import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { addonReadiness } from "./readiness.ts";

const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "coredns", namespace: "kube-system" }, spec: { replicas: 2 } };
const config = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns", namespace: "kube-system" } };
const daemonSet = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "cni", namespace: "kube-system" } };
const lookup = (objects: KubernetesObject[]) => (o: KubernetesObject): KubernetesObject | undefined => objects.find((x) => x.kind === o.kind && x.metadata?.name === o.metadata?.name);

describe("addonReadiness", () => {
  it.each([
    { title: "available Deployment", live: [config, { ...deployment, metadata: { ...deployment.metadata, generation: 1 }, status: { observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 } }], ready: true, message: undefined },
    { title: "no replica available", live: [config, { ...deployment, status: { updatedReplicas: 2, availableReplicas: 0 } }], ready: false, message: /Deployment kube-system\/coredns: 0 of 2 replicas available \(no node to run on/ },
    { title: "a change not observed yet", live: [config, { ...deployment, metadata: { ...deployment.metadata, generation: 3 }, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 } }], ready: false, message: /has not seen the last change/ },
    { title: "a missing object", live: [{ ...deployment, status: { updatedReplicas: 2, availableReplicas: 2 } }], ready: false, message: /ConfigMap kube-system\/coredns is missing/ },
  ])("$title", ({ live, ready, message }) => {
    const result = addonReadiness([config, deployment], lookup(live));
    expect(result.ready).toBe(ready);
    if (message === undefined) expect(result.message).toBeUndefined();
    else expect(result.message).toMatch(message);
  });

  it("counts a DaemonSet ready on every node it should run on", () => {
    const running = (available: number): KubernetesObject => ({ ...daemonSet, status: { desiredNumberScheduled: 3, numberAvailable: available, updatedNumberScheduled: 3 } }) as KubernetesObject;
    expect(addonReadiness([daemonSet], lookup([running(3)])).ready).toBe(true);
    expect(addonReadiness([daemonSet], lookup([running(1)])).message).toBe("DaemonSet kube-system/cni: 1 of 3 nodes run it");
  });
});
