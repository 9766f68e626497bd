import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TokenSet } from "./login/client.ts";
import { TokenStore } from "./token-store.ts";

const now = new Date("2026-01-01T00:00:00Z");
const nowSeconds = now.getTime() / 1000;

function tokens(expiresAt: number, id = "old"): TokenSet {
  return { idToken: `id-${id}`, refreshToken: `refresh-${id}`, expiresAt, issuerURL: "https://127.0.0.1:5556", clientID: "seedbed" };
}

describe("TokenStore", () => {
  const dirs: string[] = [];
  const newPath = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-tokens-"));
    dirs.push(dir);
    return join(dir, "nested", "tokens.json");
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("saves to a 0600 file in a 0700 directory and loads the same set back", async () => {
    const path = newPath();
    const store = new TokenStore({ path });
    expect(await store.load()).toBeUndefined();
    await store.save(tokens(nowSeconds + 600));
    expect(await store.load()).toEqual(tokens(nowSeconds + 600));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
  });

  it("returns the stored set while the ID token has more than a minute left", async () => {
    const refresh = vi.fn<(t: TokenSet) => Promise<TokenSet>>();
    const store = new TokenStore({ path: newPath(), refresh });
    await store.save(tokens(nowSeconds + 61));
    expect((await store.validToken(now)).idToken).toBe("id-old");
    expect(refresh).not.toHaveBeenCalled();
  });

  it("refreshes within a minute of expiry, passes its CA, and saves the new set", async () => {
    const refresh = vi.fn((_t: TokenSet, _ca?: string) => Promise.resolve(tokens(nowSeconds + 600, "new")));
    const path = newPath();
    const store = new TokenStore({ path, caPEM: "CA", refresh });
    await store.save(tokens(nowSeconds + 60));
    expect((await store.validToken(now)).idToken).toBe("id-new");
    expect(refresh).toHaveBeenCalledWith(tokens(nowSeconds + 60), "CA");
    expect((await new TokenStore({ path }).load())?.refreshToken).toBe("refresh-new");
  });

  it("keeps the stored set when the refresh fails", async () => {
    const store = new TokenStore({ path: newPath(), refresh: () => Promise.reject(new Error("invalid_grant")) });
    await store.save(tokens(nowSeconds - 10));
    await expect(store.validToken(now)).rejects.toThrow("invalid_grant");
    expect((await store.load())?.idToken).toBe("id-old");
  });

  it("says to log in when nothing is stored", async () => {
    await expect(new TokenStore({ path: newPath() }).validToken(now)).rejects.toThrow(/log in first/);
  });
});
