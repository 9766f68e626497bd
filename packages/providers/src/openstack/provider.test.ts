import { describe, expect, it } from "vitest";
import { ids, pool, request, useFixture } from "./fake/setup.ts";

describe("OpenStackProvider", () => {
  const f = useFixture();

  it("creates a server that the pool's list shows, and follows its status", async () => {
    const provider = f().provider();
    const created = await provider.create(request("workers-Ab12c"));
    const [server] = f().fake.nova.servers.values();
    expect(server).toMatchObject({
      name: "workers-Ab12c",
      flavorRef: ids.flavor,
      imageRef: ids.image,
      networks: [ids.network],
      availabilityZone: "az1",
      securityGroups: ["k8s-nodes"],
      metadata: { "seedbed.dev:cluster-id": "acme-prod", "seedbed.dev:node-pool": "workers" },
    });
    expect(Buffer.from(server?.userData ?? "", "base64").toString("utf8")).toBe(request("workers-Ab12c").userData);
    expect(created).toEqual({
      name: "workers-Ab12c",
      providerID: `openstack:///${server?.id ?? ""}`,
      nodeName: "workers-ab12c",
      phase: "Pending",
      createdAt: "2025-01-01T00:00:00Z",
    });
    expect(await provider.list(pool)).toEqual([created]);
    if (server !== undefined) server.status = "ACTIVE";
    expect((await provider.list(pool)).map((m) => m.phase)).toEqual(["Running"]);
    if (server !== undefined) server.status = "ERROR";
    expect((await provider.list(pool)).map((m) => m.phase)).toEqual(["Failed"]);
  });

  it("returns the existing server when the same machine is created twice", async () => {
    const provider = f().provider();
    const first = await provider.create(request("workers-a"));
    const second = await f().provider().create(request("workers-a"));
    expect(second.providerID).toBe(first.providerID);
    expect(f().fake.nova.servers.size).toBe(1);
    expect(f().fake.requests.filter((r) => r === "POST /compute/v2.1/servers")).toHaveLength(1);
  });

  it("lists only servers tagged with the cluster and the pool, not others sharing the name prefix", async () => {
    const provider = f().provider();
    await provider.create(request("workers-a"));
    await provider.create(request("workers-b", { ...pool, clusterId: "other-cluster" }));
    await provider.create(request("workersx-c", { ...pool, name: "workersx" }));
    expect((await provider.list(pool)).map((m) => m.name)).toEqual(["workers-a"]);
    expect(f().fake.requests).toContain("GET /compute/v2.1/servers/detail?name=%5Eworkers-");
    // Same name in another cluster: a new server, not the other cluster's.
    await provider.create(request("workers-b"));
    expect(f().fake.nova.servers.size).toBe(4);
  });

  it("deletes a server, shows it Deleting until Nova is done, and treats a gone server as deleted", async () => {
    const provider = f().provider();
    const machine = await provider.create(request("workers-a"));
    await provider.delete(pool, machine);
    expect((await provider.list(pool)).map((m) => m.phase)).toEqual(["Deleting"]);
    f().fake.nova.finishDeletes();
    expect(await provider.list(pool)).toEqual([]);
    await expect(provider.delete(pool, machine)).resolves.toBeUndefined();
    // The second delete reached Nova and got its 404.
    expect(f().fake.requests.filter((r) => r.startsWith("DELETE /compute/v2.1/servers/"))).toHaveLength(2);
  });

  it("deletes by name when the machine has no providerID yet", async () => {
    const provider = f().provider();
    await provider.create(request("workers-a"));
    await provider.delete(pool, { name: "workers-a", providerID: "", nodeName: "workers-a", phase: "Pending", createdAt: "" });
    expect([...f().fake.nova.servers.values()].map((s) => s.taskState)).toEqual(["deleting"]);
    await expect(provider.delete(pool, { name: "workers-zz", providerID: "", nodeName: "", phase: "Pending", createdAt: "" })).resolves.toBeUndefined();
  });

  it("follows Nova's pages", async () => {
    f().fake.nova.pageSize = 2;
    const provider = f().provider();
    for (const suffix of ["a", "b", "c", "d", "e"]) await provider.create(request(`workers-${suffix}`));
    expect((await provider.list(pool)).map((m) => m.name).sort()).toEqual(["workers-a", "workers-b", "workers-c", "workers-d", "workers-e"]);
    expect(f().fake.requests.filter((r) => r.includes("servers/detail?name=%5Eworkers-&marker="))).toHaveLength(2);
  });

  it("surfaces Nova's quota error with its message", async () => {
    f().fake.nova.quota = 1;
    const provider = f().provider();
    await provider.create(request("workers-a"));
    await expect(provider.create(request("workers-b"))).rejects.toThrow(/403: Quota exceeded for instances: Requested 1, but already used 1 of 1 instances/);
  });

  it("takes IDs as they are and sends no availability zone or security groups when none are set", async () => {
    const provider = f().provider({ flavor: ids.flavor, image: ids.image, network: ids.network, availabilityZone: undefined, securityGroups: undefined });
    await provider.create(request("workers-a"));
    expect(f().fake.requests.some((r) => r.startsWith("GET /image/") || r.startsWith("GET /network/"))).toBe(false);
    expect([...f().fake.nova.servers.values()][0]).toMatchObject({ availabilityZone: undefined, securityGroups: [] });
  });
});
