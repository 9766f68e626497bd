import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { readIfExists, writeFileAtomic } from "../files.ts";

/** A user of the development issuer, with its password in clear (the issuer prints it for developers). */
export interface DevUser {
  readonly username: string;
  readonly email: string;
  readonly name: string;
  readonly password: string;
  readonly groups: readonly string[];
}

/** The group whose members the platform treats as administrators. */
export const adminGroup = "seedbed:admins";

/** The name of the users file inside the issuer's directory. */
export const usersFile = "users.json";

const seeds: readonly Omit<DevUser, "password">[] = [
  { username: "admin", email: "admin@example.com", name: "Administrator", groups: [adminGroup] },
  { username: "alice", email: "alice@example.com", name: "Alice", groups: [] },
  { username: "bob", email: "bob@example.com", name: "Bob", groups: [] },
  // A viewer (of project a under `seedbed up`): what a read-only member sees.
  { username: "carol", email: "carol@example.com", name: "Carol", groups: [] },
];

/**
 * Reads the users from `dir`, creating them with random passwords on the
 * first start. They are never regenerated, so passwords handed out once
 * stay valid across restarts.
 */
export async function loadOrCreateUsers(dir: string): Promise<readonly DevUser[]> {
  const path = join(dir, usersFile);
  const existing = await readIfExists(path);
  const kept = existing === undefined ? [] : parseUsers(existing, path);
  // A seed user added in a later release joins a state made before it; nobody's password changes.
  const missing = seeds.filter((seed) => !kept.some((user) => user.username === seed.username));
  if (existing !== undefined && missing.length === 0) return kept;
  const users = [...kept, ...missing.map((seed) => ({ ...seed, password: randomPassword() }))];
  await writeFileAtomic(path, `${JSON.stringify({ users }, null, 2)}\n`, 0o600);
  return users;
}

function parseUsers(text: string, path: string): readonly DevUser[] {
  const parsed = JSON.parse(text) as { users?: unknown };
  if (!Array.isArray(parsed.users)) throw new Error(`${path}: expected an object with a "users" array`);
  return parsed.users.map((value: unknown, index) => {
    const user = value as Partial<DevUser>;
    if (typeof user.username !== "string" || typeof user.password !== "string" || typeof user.email !== "string") {
      throw new Error(`${path}: users[${index}] needs username, email and password strings`);
    }
    return { username: user.username, email: user.email, name: user.name ?? user.username, password: user.password, groups: [...(user.groups ?? [])] };
  });
}

/** 20 random bytes in base64url: about 160 bits, typeable, no shell-special characters. */
function randomPassword(): string {
  return randomBytes(20).toString("base64url");
}

/**
 * Finds the user whose name and password match. Passwords are compared by
 * their SHA-256 digests with timingSafeEqual, and an unknown user is still
 * compared against a dummy, so the response time tells nothing about which
 * part was wrong.
 */
export function checkPassword(users: readonly DevUser[], username: string, password: string): DevUser | undefined {
  const user = users.find((candidate) => candidate.username === username);
  const expected = digest(user?.password ?? "\u0000no such user\u0000");
  const matches = timingSafeEqual(expected, digest(password));
  return user !== undefined && matches ? user : undefined;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
