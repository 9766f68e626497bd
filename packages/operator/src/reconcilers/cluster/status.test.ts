import { describe, expect, it } from "vitest";
import type { ComponentHealth } from "@seedbed/controlplane";
import { computeClusterStatus } from "./status.ts";

const healthy = (name: string): ComponentHealth => ({ name, running: true, ready: true, restarts: 0 });
const starting = (name: string): ComponentHealth => ({ name, running: true, ready: false, restarts: 0, message: `${name} answers 503 yet` });
const down = (name: string): ComponentHealth => ({ name, running: false, ready: false, restarts: 3, message: `${name} is not running` });
const all = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];
const endpoint = "https://127.0.0.1:12345";

describe("computeClusterStatus", () => {
  it.each([
    { title: "nothing observed yet", certs: false, components: [] as ComponentHealth[], wasRunning: false, phase: "Provisioning", ready: "False", readyReason: "Provisioning" },
    { title: "all healthy", certs: true, components: all.map(healthy), wasRunning: false, phase: "Running", ready: "True", readyReason: "Ready" },
    { title: "the apiserver still starting", certs: true, components: [healthy("etcd"), starting("kube-apiserver"), healthy("kube-controller-manager"), healthy("kube-scheduler")], wasRunning: false, phase: "Provisioning", ready: "False", readyReason: "Provisioning" },
    { title: "etcd crashed after running", certs: true, components: [down("etcd"), healthy("kube-apiserver"), healthy("kube-controller-manager"), healthy("kube-scheduler")], wasRunning: true, phase: "Degraded", ready: "False", readyReason: "Restarting" },
    { title: "the scheduler missing", certs: true, components: all.slice(0, 3).map(healthy), wasRunning: false, phase: "Provisioning", ready: "False", readyReason: "Provisioning" },
  ])("$title → phase $phase, Ready=$ready ($readyReason)", ({ certs, components, wasRunning, phase, ready, readyReason }) => {
    const status = computeClusterStatus({ certificatesReady: certs, controlPlane: { endpoint, components }, deleting: false }, wasRunning);
    expect(status.phase).toBe(phase);
    const readyCondition = status.conditions.find((c) => c.type === "Ready");
    expect(readyCondition?.status).toBe(ready);
    expect(readyCondition?.reason).toBe(readyReason);
    expect(status.conditions.map((c) => c.type)).toEqual(["SpecValid", "CertificatesReady", "EtcdReady", "APIServerReady", "ControlPlaneReady", "Ready"]);
  });

  it("names what it waits for, in the Ready message", () => {
    const status = computeClusterStatus({ certificatesReady: true, controlPlane: { endpoint, components: [healthy("etcd"), starting("kube-apiserver")] }, deleting: false }, false);
    expect(status.conditions.find((c) => c.type === "Ready")?.message).toBe("waiting for APIServerReady, ControlPlaneReady");
    expect(status.conditions.find((c) => c.type === "APIServerReady")?.message).toBe("kube-apiserver answers 503 yet");
  });

  it("reports an invalid spec as Failed with the reason, and nothing else", () => {
    const status = computeClusterStatus({ certificatesReady: false, invalidSpec: { reason: "TemplateNotFound", message: "template small does not exist" }, deleting: false }, false);
    expect(status.phase).toBe("Failed");
    expect(status.conditions).toEqual([
      { type: "SpecValid", status: "False", reason: "TemplateNotFound", message: "template small does not exist" },
      { type: "Ready", status: "False", reason: "InvalidSpec", message: "the spec cannot be built: template small does not exist" },
    ]);
  });

  it("says Deleting while the control plane goes", () => {
    expect(computeClusterStatus({ certificatesReady: true, deleting: true }, true).phase).toBe("Deleting");
  });
});
