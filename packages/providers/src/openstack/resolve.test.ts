import { describe, expect, it } from "vitest";
import { ids, request, useFixture } from "./fake/setup.ts";

describe("OpenStack name resolution", () => {
  const f = useFixture();

  it("resolves flavor, image and network names once per provider", async () => {
    const provider = f().provider();
    await provider.create(request("workers-a"));
    await provider.create(request("workers-b"));
    expect(f().fake.requests.filter((r) => r.startsWith("GET /compute/v2.1/flavors/detail"))).toHaveLength(1);
    expect(f().fake.requests).toContain("GET /image/v2/images?name=ubuntu-24.04-k8s&status=active");
    expect(f().fake.requests).toContain("GET /network/v2.0/networks?name=private");
    expect([...f().fake.nova.servers.values()].map((s) => [s.flavorRef, s.imageRef, s.networks[0]])).toEqual([
      [ids.flavor, ids.image, ids.network],
      [ids.flavor, ids.image, ids.network],
    ]);
  });

  it("accepts a flavor ID that is not a UUID", async () => {
    await f().provider({ flavor: "1" }).create(request("workers-a"));
    expect([...f().fake.nova.servers.values()][0]?.flavorRef).toBe("1");
  });

  it("asks for the ID when a name is ambiguous", async () => {
    f().fake.networks.push({ id: "11111111-2222-4333-8444-555555555555", name: "private" });
    await expect(f().provider().create(request("workers-a"))).rejects.toThrow(
      `OpenStack: 2 networks are named "private" (${ids.network}, 11111111-2222-4333-8444-555555555555); set provider.openstack.network to the ID of the one to use`,
    );
    expect(f().fake.nova.servers.size).toBe(0);
  });

  it("names the missing resource and skips images that are not active", async () => {
    await expect(f().provider({ flavor: "m9.huge" }).create(request("workers-a"))).rejects.toThrow(/no flavor named "m9.huge"/);
    f().fake.images.push({ id: "99999999-2222-4333-8444-555555555555", name: "old-image", status: "deactivated" });
    await expect(f().provider({ image: "old-image" }).create(request("workers-a"))).rejects.toThrow(/no image named "old-image"/);
  });

  it("looks a failed name up again on the next create", async () => {
    const provider = f().provider({ network: "late-network" });
    await expect(provider.create(request("workers-a"))).rejects.toThrow(/no network named "late-network"/);
    f().fake.networks.push({ id: "abababab-2222-4333-8444-555555555555", name: "late-network" });
    f().fake.nova.networkIds.add("abababab-2222-4333-8444-555555555555");
    await provider.create(request("workers-a"));
    expect([...f().fake.nova.servers.values()][0]?.networks).toEqual(["abababab-2222-4333-8444-555555555555"]);
  });
});
