import { describe, expect, it } from "vitest";
import type { ComponentHealth } from "@seedbed/controlplane";
import { isDeepStrictEqual } from "node:util";
import { computeClusterStatus, endpointFields, overlayStatus } from "./status.ts";

const healthy = (name: string): ComponentHealth => ({ name, running: true, ready: true, restarts: 0 });
const starting = (name: string): ComponentHealth => ({ name, running: true, ready: false, restarts: 0, message: `${name} answers 503 yet` });
const rolling = (name: string): ComponentHealth => ({ name, running: true, ready: false, serving: true, restarts: 0, message: `${name}: 1 of 2 replicas ready, 1 updated` });
const down = (name: string): ComponentHealth => ({ name, running: false, ready: false, restarts: 3, message: `${name} is not running` });
const all = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];
const endpoint = "https://127.0.0.1:12345";

describe("computeClusterStatus", () => {
  it.each([
    { title: "nothing observed yet", certs: false, components: [] as ComponentHealth[], previous: undefined, phase: "Provisioning", ready: "False", readyReason: "Provisioning", available: "False", version: undefined },
    { title: "all healthy", certs: true, components: all.map(healthy), previous: undefined, phase: "Running", ready: "True", readyReason: "Ready", available: "True", version: "1.37.1" },
    { title: "the apiserver still starting", certs: true, components: [healthy("etcd"), starting("kube-apiserver"), healthy("kube-controller-manager"), healthy("kube-scheduler")], previous: undefined, phase: "Provisioning", ready: "False", readyReason: "Provisioning", available: "False", version: undefined },
    { title: "etcd crashed after running", certs: true, components: [down("etcd"), healthy("kube-apiserver"), healthy("kube-controller-manager"), healthy("kube-scheduler")], previous: { phase: "Running" as const, version: "1.37.1" }, phase: "Degraded", ready: "False", readyReason: "Restarting", available: "True", version: "1.37.1" },
    { title: "the scheduler missing", certs: true, components: all.slice(0, 3).map(healthy), previous: undefined, phase: "Provisioning", ready: "False", readyReason: "Provisioning", available: "True", version: undefined },
    { title: "a new version rolling out", certs: true, components: [healthy("etcd"), rolling("kube-apiserver"), healthy("kube-controller-manager"), healthy("kube-scheduler")], previous: { phase: "Running" as const, version: "1.36.3" }, phase: "Upgrading", ready: "False", readyReason: "Upgrading", available: "True", version: "1.36.3" },
    { title: "a new version rolled out", certs: true, components: all.map(healthy), previous: { phase: "Upgrading" as const, version: "1.36.3" }, phase: "Running", ready: "True", readyReason: "Ready", available: "True", version: "1.37.1" },
    { title: "a component broken while upgrading", certs: true, components: [down("etcd"), healthy("kube-apiserver"), healthy("kube-controller-manager"), healthy("kube-scheduler")], previous: { phase: "Upgrading" as const, version: "1.36.3" }, phase: "Upgrading", ready: "False", readyReason: "Upgrading", available: "True", version: "1.36.3" },
  ])("$title → phase $phase, Ready=$ready ($readyReason), Available=$available", ({ certs, components, previous, phase, ready, readyReason, available, version }) => {
    const status = computeClusterStatus({ certificatesReady: certs, controlPlane: { endpoint, components }, deleting: false, version: "1.37.1" }, previous);
    expect(status.phase).toBe(phase);
    const readyCondition = status.conditions.find((c) => c.type === "Ready");
    expect(readyCondition?.status).toBe(ready);
    expect(readyCondition?.reason).toBe(readyReason);
    expect(status.conditions.find((c) => c.type === "Available")?.status).toBe(available);
    expect(status.version).toBe(version);
    expect(status.conditions.map((c) => c.type)).toEqual(["SpecValid", "CertificatesReady", "EtcdReady", "APIServerReady", "ControlPlaneReady", "Available", "Ready"]);
  });

  it.each([
    { title: "an upgrade at its first step, everything ready", upgrade: { phase: "Upgrading" as const, step: "Snapshot" as const }, running: "1.36.3", phase: "Upgrading", condition: ["False", "Upgrading"], version: "1.36.3" },
    { title: "an upgrade at node pools, the control plane on the new version", upgrade: { phase: "Upgrading" as const, step: "NodePools" as const }, running: "1.37.1", phase: "Upgrading", condition: ["False", "Upgrading"], version: "1.37.1" },
    { title: "a completed upgrade", upgrade: { phase: "Completed" as const, step: "Done" as const }, running: undefined, phase: "Running", condition: ["True", "Upgraded"], version: "1.37.1" },
    { title: "a stopped upgrade", upgrade: { phase: "Failed" as const, step: "APIServer" as const }, running: "1.36.3", phase: "Running", condition: ["False", "UpgradeFailed"], version: "1.36.3" },
    { title: "a rollback under way", upgrade: { phase: "RollingBack" as const, step: "NodePools" as const, rollback: true }, running: "1.37.1", phase: "Upgrading", condition: ["False", "RollingBack"], version: "1.37.1" },
  ])("$title → phase $phase, Upgrade=$condition, version $version", ({ upgrade, running, phase, condition, version }) => {
    const record = { from: "1.36.3", to: "1.37.1", startedTime: "2026-11-29T12:00:00Z", message: "m", ...upgrade };
    const status = computeClusterStatus({ certificatesReady: true, controlPlane: { endpoint, components: all.map(healthy) }, deleting: false, version: "1.37.1", upgrade: record, ...(running === undefined ? {} : { runningVersion: running }) }, { phase: "Running", version: "1.36.3" });
    expect(status.phase).toBe(phase);
    const upgradeCondition = status.conditions.find((c) => c.type === "Upgrade");
    expect([upgradeCondition?.status, upgradeCondition?.reason]).toEqual(condition);
    expect(status.version).toBe(version);
  });

  it("reports unsupported fields beside the others without holding Ready back", () => {
    const supported = { type: "SpecSupported", status: "False" as const, reason: "NotSupported", message: "spec.controlPlane.replicas is 3, but …" };
    const status = computeClusterStatus({ certificatesReady: true, controlPlane: { endpoint, components: all.map(healthy) }, deleting: false, version: "1.37.1", supported }, undefined);
    expect(status.phase).toBe("Running");
    expect(status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(status.conditions[1]).toEqual(supported);
  });

  it("waits in Pending while the cluster cannot be placed", () => {
    const status = computeClusterStatus({ certificatesReady: false, deleting: false, waitingForPlacement: { reason: "SeedFull", message: "Seed local hosts 2 of its 2 clusters" } }, undefined);
    expect(status.phase).toBe("Pending");
    expect(status.conditions).toEqual([{ type: "Ready", status: "False", reason: "SeedFull", message: "Seed local hosts 2 of its 2 clusters" }]);
  });

  it("names what it waits for, in the Ready message", () => {
    const status = computeClusterStatus({ certificatesReady: true, controlPlane: { endpoint, components: [healthy("etcd"), starting("kube-apiserver")] }, deleting: false }, undefined);
    expect(status.conditions.find((c) => c.type === "Ready")?.message).toBe("waiting for APIServerReady, ControlPlaneReady, Available");
    expect(status.conditions.find((c) => c.type === "APIServerReady")?.message).toBe("kube-apiserver answers 503 yet");
  });

  it("says why a controller is not ready, in its own words (a crash loop, an image that cannot be pulled)", () => {
    const crashing: ComponentHealth = { name: "kube-scheduler", running: false, ready: false, restarts: 4, message: "kube-scheduler: CrashLoopBackOff (back-off 40s restarting failed container)" };
    const status = computeClusterStatus({ certificatesReady: true, controlPlane: { endpoint, components: [healthy("etcd"), healthy("kube-apiserver"), healthy("kube-controller-manager"), crashing] }, deleting: false }, undefined);
    expect(status.conditions.find((c) => c.type === "ControlPlaneReady")).toMatchObject({ status: "False", reason: "Restarting", message: "waiting for kube-scheduler: kube-scheduler: CrashLoopBackOff (back-off 40s restarting failed container)" });
  });

  it("reports an invalid spec as Failed with the reason, and nothing else", () => {
    const status = computeClusterStatus({ certificatesReady: false, invalidSpec: { reason: "TemplateNotFound", message: "template small does not exist" }, deleting: false }, undefined);
    expect(status.phase).toBe("Failed");
    expect(status.conditions).toEqual([
      { type: "SpecValid", status: "False", reason: "TemplateNotFound", message: "template small does not exist" },
      { type: "Ready", status: "False", reason: "InvalidSpec", message: "the spec cannot be built: template small does not exist" },
    ]);
  });

  it("says Restoring while a restore holds the control plane down, and Running once it is back", () => {
    const restoring = "restoring etcd from backup b1 (EtcdRestore r1)";
    const down4 = all.map((name) => ({ name, running: false, ready: false, restarts: 0, message: `${name} is stopped while etcd is restored from a snapshot` }));
    const held = computeClusterStatus({ certificatesReady: true, controlPlane: { endpoint, components: down4 }, deleting: false, version: "1.37.1", restoring }, { phase: "Running", version: "1.37.1" });
    expect(held.phase).toBe("Restoring");
    expect(held.conditions.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "Restoring", message: expect.stringContaining(`${restoring}: waiting for EtcdReady`) as unknown });
    const back = computeClusterStatus({ certificatesReady: true, controlPlane: { endpoint, components: all.map(healthy) }, deleting: false, version: "1.37.1", restoring }, { phase: "Restoring", version: "1.37.1" });
    expect(back.phase).toBe("Running");
    // A component failing after a restore is a degradation of a cluster that served.
    expect(computeClusterStatus({ certificatesReady: true, controlPlane: { endpoint, components: [down("etcd"), ...all.slice(1).map(healthy)] }, deleting: false, version: "1.37.1" }, { phase: "Restoring", version: "1.37.1" }).phase).toBe("Degraded");
  });

  it("says Deleting while the control plane goes", () => {
    expect(computeClusterStatus({ certificatesReady: true, deleting: true }, { phase: "Running", version: "1.37.1" }).phase).toBe("Deleting");
  });
});

describe("the endpoint fields of a Cluster's status", () => {
  const nodeEndpoint = "https://192.0.2.2:12345";
  it.each([
    { title: "a node endpoint reported for the first time is set", previous: { endpoint }, observed: { endpoint, nodeEndpoint }, expected: { endpoint, nodeEndpoint } },
    { title: "a node endpoint no longer reported is removed", previous: { endpoint, nodeEndpoint, seed: "local" }, observed: { endpoint }, expected: { endpoint, seed: "local" } },
    { title: "a moved node endpoint is replaced", previous: { endpoint, nodeEndpoint: "https://192.0.2.9:12345" }, observed: { endpoint, nodeEndpoint }, expected: { endpoint, nodeEndpoint } },
    { title: "without a node endpoint before or now, nothing is added", previous: { endpoint, seed: "local" }, observed: { endpoint }, expected: { endpoint, seed: "local" } },
  ])("$title", ({ previous, observed, expected }) => {
    const status = overlayStatus(previous, endpointFields({ ...observed, components: [] }));
    expect(status).toEqual(expected);
    // Absent, not undefined: an unchanged status compares equal, so no write is sent.
    expect(Object.keys(status).sort()).toEqual(Object.keys(expected).sort());
  });

  it("keeps what the fields do not name, so an unchanged status is equal to the stored one", () => {
    const previous = { endpoint, seed: "local", region: "home" };
    expect(isDeepStrictEqual(overlayStatus(previous, endpointFields({ endpoint, components: [] })), previous)).toBe(true);
  });
});
