import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixture, ids, type Fixture } from "./setup.ts";

/** The fake must refuse what the real APIs refuse, or the provider tests prove nothing. */
describe("fake OpenStack", () => {
  let f: Fixture;
  let token: string;
  beforeEach(async () => {
    f = await fixture();
    const c = f.credentials;
    const reply = await fetch(`${c.authURL}/auth/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        auth: {
          identity: { methods: ["password"], password: { user: { name: c.username, domain: { name: "Default" }, password: c.password } } },
          scope: { project: { name: c.projectName, domain: { name: "Default" } } },
        },
      }),
    });
    expect(reply.status).toBe(201);
    token = reply.headers.get("X-Subject-Token") ?? "";
  });
  afterEach(async () => {
    await f.fake.stop();
  });

  const compute = (path: string): string => f.credentials.authURL.replace("/identity/v3", `/compute/v2.1${path}`);
  const server = (extra: Record<string, unknown>): string =>
    JSON.stringify({ server: { name: "workers-a", flavorRef: ids.flavor, imageRef: ids.image, networks: [{ uuid: ids.network }], ...extra } });

  it("accepts a documented create", async () => {
    const reply = await fetch(compute("/servers"), { method: "POST", headers: { "X-Auth-Token": token, "Content-Type": "application/json" }, body: server({}) });
    expect(reply.status).toBe(202);
    expect(f.fake.violations).toEqual([]);
  });

  it("refuses a request without a token, or with an unknown one", async () => {
    expect((await fetch(compute("/servers/detail"))).status).toBe(400);
    expect(f.fake.violations).toEqual(["GET /compute/v2.1/servers/detail: X-Auth-Token header missing"]);
    expect((await fetch(compute("/servers/detail"), { headers: { "X-Auth-Token": "forged" } })).status).toBe(401);
  });

  it("refuses metadata keys Nova does not allow, undocumented fields and user data that is not base64", async () => {
    const post = (body: string): Promise<Response> => fetch(compute("/servers"), { method: "POST", headers: { "X-Auth-Token": token, "Content-Type": "application/json" }, body });
    expect((await post(server({ metadata: { "seedbed.dev/node-pool": "workers" } }))).status).toBe(400);
    expect((await post(server({ flavor: "m1.medium" }))).status).toBe(400);
    expect((await post(server({ user_data: "#cloud-config" }))).status).toBe(400);
    expect(f.fake.violations).toHaveLength(3);
    expect(f.fake.violations[0]).toMatch(/metadata key "seedbed.dev\/node-pool"/);
    expect(f.fake.violations[1]).toMatch(/properties the API does not define: flavor/);
    expect(f.fake.violations[2]).toMatch(/user_data must be base64/);
    expect(f.fake.nova.servers.size).toBe(0);
  });
});
