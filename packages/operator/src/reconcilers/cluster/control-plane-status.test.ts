import type { ComponentHealth } from "@seedbed/controlplane";
import { describe, expect, it } from "vitest";
import { controlPlaneStatus } from "./control-plane-status.ts";

const component = (name: string, ready: boolean, readyReplicas?: number): ComponentHealth => ({ name, running: true, ready, restarts: 0, ...(readyReplicas === undefined ? {} : { readyReplicas }) });

describe("controlPlaneStatus", () => {
  it("counts ready API server processes and healthy etcd voters of a local HA cluster", () => {
    const status = controlPlaneStatus({
      endpoint: "https://127.0.0.1:1",
      components: [component("etcd", true), component("kube-apiserver", true), component("kube-apiserver-1", false), component("kube-apiserver-2", true), component("kube-scheduler", true)],
      etcdMembers: [
        { name: "default", id: "8e9e05c52164694d", role: "Leader", healthy: true },
        { name: "m1", id: "91bc3c398fb3c146", role: "Follower", healthy: false, message: "connection refused" },
        { name: "m2", id: "fd422379fda50e48", role: "Learner", healthy: true },
      ],
      membership: "promoting learner m2 once it has caught up",
    }, { apiServerReplicas: 3, etcdMembers: 3 });
    expect(status).toEqual({
      apiServers: "2/3",
      etcd: "1/3",
      builtMembers: 3,
      datastore: { type: "Dedicated" },
      members: [
        { name: "default", id: "8e9e05c52164694d", role: "Leader", healthy: true },
        { name: "m1", id: "91bc3c398fb3c146", role: "Follower", healthy: false, message: "connection refused" },
        { name: "m2", id: "fd422379fda50e48", role: "Learner", healthy: true },
      ],
      membership: "promoting learner m2 once it has caught up",
    });
  });

  it("counts a workload's ready replicas when the driver reports no member list", () => {
    const status = controlPlaneStatus({ endpoint: "https://x", components: [component("etcd", false, 2), component("kube-apiserver", true, 3)] }, { apiServerReplicas: 3, etcdMembers: 3 });
    expect(status).toEqual({ apiServers: "3/3", etcd: "2/3", builtMembers: 3, datastore: { type: "Dedicated" } });
  });

  it("counts the members of a shared etcd for a tenant of it, with the tenant's usage against its limit", () => {
    const status = controlPlaneStatus({
      endpoint: "https://x",
      components: [component("kube-apiserver", true), component("etcd", true, 2)],
      etcdMembers: [{ name: "default", role: "Leader", healthy: true }, { name: "member-1", role: "Follower", healthy: true }, { name: "member-2", role: "Unknown", healthy: false }],
      datastore: { shared: "local", members: 3, usage: { keys: 420, bytes: 123_456 } },
    }, { apiServerReplicas: 1, etcdMembers: 1, datastoreLimitBytes: 1024 ** 3 });
    expect(status).toMatchObject({ apiServers: "1/1", etcd: "2/3", builtMembers: 3, datastore: { type: "Shared", sharedWith: "local", keys: 420, bytes: 123_456, limitBytes: 1024 ** 3 } });
  });
});
