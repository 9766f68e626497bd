import { describe, expect, it } from "vitest";
import { markResumable, markSignedOut, safeReturnPath, savePendingLogin, takePendingLogin, takeResume, wasSignedOut } from "./pending.ts";

/** sessionStorage's interface over a Map: the tests run without a DOM. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => items.delete(key),
    setItem: (key, value) => items.set(key, value),
  };
}

describe("what survives the issuer's redirect and a reload", () => {
  it("hands the login's checks to the callback once, and never a path off this origin", () => {
    const storage = memoryStorage();
    savePendingLogin({ codeVerifier: "v", state: "s", nonce: "n", returnTo: "//evil.example/x" }, storage);
    expect(takePendingLogin(storage)).toEqual({ codeVerifier: "v", state: "s", nonce: "n", returnTo: "/" });
    expect(takePendingLogin(storage)).toBeUndefined();
    expect(safeReturnPath("/projects/a/clusters/web?x=1")).toBe("/projects/a/clusters/web?x=1");
    expect(safeReturnPath("/callback?code=1")).toBe("/");
  });

  it("signs a reloaded tab back in once per sign-in, and not after a sign-out", () => {
    const storage = memoryStorage();
    expect(takeResume(storage)).toBe(false);
    markResumable(true, storage);
    expect(takeResume(storage)).toBe(true);
    // The attempt consumed it: a failed one shows the button instead of looping.
    expect(takeResume(storage)).toBe(false);
    markResumable(true, storage);
    markSignedOut(true, storage);
    markResumable(false, storage);
    expect([takeResume(storage), wasSignedOut(storage)]).toEqual([false, true]);
    expect([...Array(storage.length).keys()].map((i) => storage.key(i))).toEqual(["seedbed.signedOut"]);
  });
});
