import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IssuerStore, storeFile } from "./store.ts";

describe("IssuerStore", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-store-"));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps grants and refresh tokens in a 0600 file across reopening, sessions only in memory", async () => {
    const store = await IssuerStore.open(dir);
    await store.adapter("Grant").upsert("g1", { accountId: "alice", kind: "Grant" }, 3600);
    await store.adapter("RefreshToken").upsert("r1", { grantId: "g1", kind: "RefreshToken" }, 3600);
    await store.adapter("Session").upsert("s1", { uid: "u1", kind: "Session" }, 3600);
    expect(await store.adapter("Session").findByUid("u1")).toMatchObject({ kind: "Session" });
    expect(statSync(join(dir, storeFile)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, storeFile), "utf8")).not.toContain("Session");

    const reopened = await IssuerStore.open(dir);
    expect(await reopened.adapter("RefreshToken").find("r1")).toMatchObject({ grantId: "g1" });
    expect(await reopened.adapter("Session").find("s1")).toBeUndefined();
  });

  it("marks consumption, forgets expired entries and revokes everything of a grant", async () => {
    const store = await IssuerStore.open(dir);
    const codes = store.adapter("AuthorizationCode");
    await codes.upsert("c1", { grantId: "g2", kind: "AuthorizationCode" }, 60);
    await codes.consume("c1");
    expect((await codes.find("c1"))?.consumed).toBeTypeOf("number");
    await codes.upsert("old", { kind: "AuthorizationCode" }, -1);
    expect(await codes.find("old")).toBeUndefined();
    await store.adapter("RefreshToken").upsert("r2", { grantId: "g2", kind: "RefreshToken" }, 3600);
    await store.adapter("Grant").revokeByGrantId("g2");
    expect(await codes.find("c1")).toBeUndefined();
    expect(await store.adapter("RefreshToken").find("r2")).toBeUndefined();
    // Another model's adapter never sees these ids.
    expect(await store.adapter("AccessToken").find("r1")).toBeUndefined();
  });
});
