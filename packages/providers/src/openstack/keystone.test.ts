import { describe, expect, it } from "vitest";
import { OpenStackProvider } from "./provider.ts";
import { pool, request, useFixture } from "./fake/setup.ts";

describe("OpenStack Keystone session", () => {
  const f = useFixture();

  it("authenticates once and reuses the token across calls", async () => {
    const provider = f().provider();
    await provider.create(request("workers-a"));
    await provider.list(pool);
    await provider.list(pool);
    expect(f().fake.keystone.issued).toBe(1);
    // Concurrent first calls share one authentication.
    const fresh = f().provider();
    await Promise.all([fresh.list(pool), fresh.list(pool), fresh.list(pool)]);
    expect(f().fake.keystone.issued).toBe(2);
  });

  it("renews the token shortly before it expires, before any API refuses it", async () => {
    const provider = f().provider();
    await provider.list(pool);
    f().clock.advance(50 * 60_000);
    await provider.list(pool);
    expect(f().fake.keystone.issued).toBe(1);
    // 56 minutes into a 60-minute token: inside the renewal margin.
    f().clock.advance(6 * 60_000);
    await provider.list(pool);
    expect(f().fake.keystone.issued).toBe(2);
    f().clock.advance(2 * 60 * 60_000);
    await provider.list(pool);
    expect(f().fake.keystone.issued).toBe(3);
    expect(f().fake.unauthorized).toBe(0);
  });

  it("renews halfway through a token shorter-lived than the margin", async () => {
    f().fake.keystone.ttlMs = 4 * 60_000;
    const provider = f().provider();
    await provider.list(pool);
    f().clock.advance(60_000);
    await provider.list(pool);
    expect(f().fake.keystone.issued).toBe(1);
    f().clock.advance(90_000);
    await provider.list(pool);
    expect(f().fake.keystone.issued).toBe(2);
    expect(f().fake.unauthorized).toBe(0);
  });

  it("authenticates again when a service refuses a revoked token, and repeats the call", async () => {
    const provider = f().provider();
    await provider.create(request("workers-a"));
    f().fake.keystone.revokeAll();
    expect(await provider.list(pool)).toHaveLength(1);
    expect(f().fake.unauthorized).toBe(1);
    expect(f().fake.keystone.issued).toBe(2);
  });

  it("uses only the public endpoints of the credentials' region", async () => {
    // The fake lists internal and other-region endpoints first; picking one is a violation (see afterEach).
    await f().provider().create(request("workers-a"));
    expect(f().fake.requests.some((r) => r.includes("/wrong/"))).toBe(false);
    const elsewhere = new OpenStackProvider(f().settings, { ...f().credentials, region: "Mars" }, { clock: f().clock });
    await expect(elsewhere.list(pool)).rejects.toThrow(/no public compute endpoint in region "Mars"/);
  });

  it("reports refused credentials with Keystone's message", async () => {
    const wrong = new OpenStackProvider(f().settings, { ...f().credentials, password: "nope" }, { clock: f().clock });
    await expect(wrong.list(pool)).rejects.toThrow(/authentication: POST \/identity\/v3\/auth\/tokens answered 401: The request you have made requires authentication/);
  });

  it("accepts an authURL without /v3", async () => {
    const bare = new OpenStackProvider(f().settings, { ...f().credentials, authURL: f().fake.authURL.replace(/\/v3$/, "/") }, { clock: f().clock });
    await expect(bare.list(pool)).resolves.toEqual([]);
    expect(f().fake.requests[0]).toBe("POST /identity/v3/auth/tokens");
  });
});
