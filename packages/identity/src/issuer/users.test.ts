import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkPassword, loadOrCreateUsers, usersFile } from "./users.ts";

describe("the development users", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-users-"));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("are created once with random passwords in a 0600 file and read back unchanged", async () => {
    const first = await loadOrCreateUsers(dir);
    expect(first.map((u) => [u.username, u.email, u.groups])).toEqual([
      ["admin", "admin@example.com", ["seedbed:admins"]],
      ["alice", "alice@example.com", []],
      ["bob", "bob@example.com", []],
      ["carol", "carol@example.com", []],
    ]);
    expect(new Set(first.map((u) => u.password)).size).toBe(first.length);
    expect(first.every((u) => u.password.length >= 20)).toBe(true);
    expect(statSync(join(dir, usersFile)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateUsers(dir)).toEqual(first);
    expect(JSON.parse(readFileSync(join(dir, usersFile), "utf8"))).toEqual({ users: first });
  });

  it("accept only the right password for the right user", async () => {
    const users = await loadOrCreateUsers(dir);
    const alice = users.find((u) => u.username === "alice");
    const bob = users.find((u) => u.username === "bob");
    if (!alice || !bob) throw new Error("missing users");
    expect(checkPassword(users, "alice", alice.password)?.email).toBe("alice@example.com");
    expect(checkPassword(users, "alice", bob.password)).toBeUndefined();
    expect(checkPassword(users, "alice", `${alice.password}x`)).toBeUndefined();
    expect(checkPassword(users, "alice", "")).toBeUndefined();
    expect(checkPassword(users, "mallory", alice.password)).toBeUndefined();
  });
});
