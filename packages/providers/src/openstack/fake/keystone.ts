import { randomUUID } from "node:crypto";
import type { Clock } from "@seedbed/runtime";
import { array, object, string, unauthorized, Violation } from "./check.ts";

/** The project and user the fake cloud knows. */
export interface FakeAccount {
  readonly username: string;
  readonly password: string;
  readonly projectName: string;
  readonly userDomainName: string;
  readonly projectDomainName: string;
}

/** A service of the fake catalog: its type and the path prefix its public endpoint has in `region`. */
export interface CatalogEntry {
  readonly type: string;
  readonly name: string;
  readonly path: string;
}

/**
 * Keystone v3 password authentication as the Identity API reference
 * documents it: POST /v3/auth/tokens, 201 with the token in X-Subject-Token
 * and the token's expiry and catalog in the body. Tokens expire on the
 * test's clock.
 */
export class FakeKeystone {
  readonly #account: FakeAccount;
  readonly #clock: Clock;
  readonly #tokens = new Map<string, number>();
  /** How long an issued token lives. */
  ttlMs = 60 * 60_000;
  /** Tokens issued so far. */
  issued = 0;

  constructor(account: FakeAccount, clock: Clock) {
    this.#account = account;
    this.#clock = clock;
  }

  /** Answers POST /v3/auth/tokens, or throws a Violation / 401. */
  authenticate(body: unknown, baseUrl: string, region: string, catalog: readonly CatalogEntry[]): { token: string; body: unknown } {
    const auth = object(object(body, "body").auth, "auth");
    const identity = object(auth.identity, "auth.identity");
    if (!array(identity.methods, "auth.identity.methods").includes("password")) throw new Violation("auth.identity.methods must include \"password\"");
    const user = object(object(identity.password, "auth.identity.password").user, "auth.identity.password.user");
    const username = string(user.name, "auth.identity.password.user.name");
    const userDomain = string(object(user.domain, "auth.identity.password.user.domain").name, "auth.identity.password.user.domain.name");
    const password = string(user.password, "auth.identity.password.user.password", 4096);
    const project = object(object(auth.scope, "auth.scope (a project-scoped token has the catalog)").project, "auth.scope.project");
    const projectName = string(project.name, "auth.scope.project.name");
    const projectDomain = string(object(project.domain, "auth.scope.project.domain").name, "auth.scope.project.domain.name");
    const a = this.#account;
    if (username !== a.username || password !== a.password || userDomain !== a.userDomainName) throw unauthorized();
    if (projectName !== a.projectName || projectDomain !== a.projectDomainName) throw unauthorized();
    const token = `gAAAAA${randomUUID().replaceAll("-", "")}`;
    const now = this.#clock.now();
    const expiresAt = now + this.ttlMs;
    this.#tokens.set(token, expiresAt);
    this.issued++;
    return {
      token,
      body: {
        token: {
          methods: ["password"],
          user: { id: "u-1", name: username, domain: { id: "default", name: userDomain }, password_expires_at: null },
          project: { id: "p-1", name: projectName, domain: { id: "default", name: projectDomain } },
          roles: [{ id: "r-1", name: "member" }],
          audit_ids: [randomUUID().slice(0, 22)],
          issued_at: keystoneTime(now),
          expires_at: keystoneTime(expiresAt),
          catalog: catalogOf(baseUrl, region, catalog),
        },
      },
    };
  }

  /** Throws 401 unless `token` was issued, is not revoked and has not expired on the test's clock. */
  check(token: string | undefined): void {
    const expiresAt = token === undefined ? undefined : this.#tokens.get(token);
    if (expiresAt === undefined || this.#clock.now() >= expiresAt) throw unauthorized();
  }

  /** Revokes every token, as a password change or an operator would. */
  revokeAll(): void {
    this.#tokens.clear();
  }
}

/** Keystone's time format: microseconds and a Z. */
function keystoneTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

/**
 * Each service has its public endpoint in `region`, plus an internal one
 * and one in another region, both under /wrong/ so the fake can reject a
 * provider that picks them.
 */
function catalogOf(baseUrl: string, region: string, entries: readonly CatalogEntry[]): unknown[] {
  return entries.map((e, i) => ({
    id: `svc-${i}`,
    type: e.type,
    name: e.name,
    endpoints: [
      { id: `e-${i}-internal`, interface: "internal", region, region_id: region, url: `${baseUrl}/wrong/internal${e.path}` },
      { id: `e-${i}-other`, interface: "public", region: "OtherRegion", region_id: "OtherRegion", url: `${baseUrl}/wrong/other-region${e.path}` },
      { id: `e-${i}-public`, interface: "public", region, region_id: region, url: `${baseUrl}${e.path}` },
    ],
  }));
}
