import type { Cluster, ControlPlaneStatus } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { controlPlaneLines } from "./control-plane.ts";

function cluster(controlPlane?: ControlPlaneStatus): Cluster {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "Cluster",
    metadata: { name: "web", namespace: "project-demo" },
    spec: { controlPlane: { replicas: 3, datastore: { type: "Dedicated", members: 3 } } } as Cluster["spec"],
    status: { phase: "Running", ...(controlPlane === undefined ? {} : { controlPlane }) },
  };
}

describe("cluster get's control-plane lines", () => {
  it("shows API servers and etcd ready, the leader, the change under way and a row per member", () => {
    const lines = controlPlaneLines(cluster({
      apiServers: "2/3",
      etcd: "2/3",
      builtMembers: 3,
      members: [
        { name: "default", id: "8e9e05c52164694d", role: "Leader", healthy: true, dbSizeBytes: 2_097_152 },
        { name: "m1", id: "91bc3c398fb3c146", role: "Follower", healthy: true, dbSizeBytes: 1_536 },
        { name: "m2", id: "fd422379fda50e48", role: "Learner", healthy: false, message: "does not answer" },
      ],
      membership: "learner m2 is catching up with the leader; promoted once it has",
    }));
    expect(lines).toEqual([
      "Control plane:",
      "  API servers: 2/3 ready",
      "  etcd:        2/3 healthy, leader default",
      "  Membership:  learner m2 is catching up with the leader; promoted once it has",
      "  NAME      ROLE       HEALTHY   DB SIZE   MESSAGE",
      "  default   Leader     yes       2.0 MiB",
      "  m1        Follower   yes       1.5 KiB",
      "  m2        Learner    no        -         does not answer",
    ]);
  });

  it("says when no member leads, and leaves out the membership line when nothing changes", () => {
    const lines = controlPlaneLines(cluster({
      apiServers: "0/1",
      etcd: "0/1",
      members: [{ name: "default", role: "Unknown", healthy: false, message: "etcd's member list cannot be read: context deadline exceeded" }],
    }));
    expect(lines).toEqual([
      "Control plane:",
      "  API servers: 0/1 ready",
      "  etcd:        0/1 healthy, no leader",
      "  NAME      ROLE      HEALTHY   DB SIZE   MESSAGE",
      "  default   Unknown   no        -         etcd's member list cannot be read: context deadline exceeded",
    ]);
  });

  it("shows only the counts when the driver lists no members, and nothing before the platform reported", () => {
    expect(controlPlaneLines(cluster({ apiServers: "3/3", etcd: "3/3", builtMembers: 3 }))).toEqual([
      "Control plane:",
      "  API servers: 3/3 ready",
      "  etcd:        3/3 healthy",
    ]);
    expect(controlPlaneLines(cluster())).toEqual([]);
  });

  it("says where the data lives, and a shared tenant's keys and bytes against its limit", () => {
    const shared = controlPlaneLines(cluster({ apiServers: "1/1", etcd: "3/3", datastore: { type: "Shared", sharedWith: "local", keys: 412, bytes: 1_258_291, limitBytes: 1024 ** 3 } }));
    expect(shared[3]).toBe("  Datastore:   Shared (the shared etcd of seed local), 412 keys, 1.2 MiB of 1.0 GiB");
    const own = controlPlaneLines(cluster({ apiServers: "1/1", etcd: "1/1", datastore: { type: "Dedicated" } }));
    expect(own[3]).toBe("  Datastore:   Dedicated (an etcd of its own)");
  });
});
