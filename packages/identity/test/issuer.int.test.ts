import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loginWithBrowser,
  loginWithDeviceCode,
  loginWithPassword,
  refreshTokens,
  startDevIssuer,
  type DevIssuer,
  type DevIssuerUser,
  type TokenSet,
} from "../src/index.ts";
import { signInOverHTTP } from "../src/testing.ts";
import { FormSession, formsOf } from "../src/login/form-session.ts";
import { fetchTrusting } from "../src/login/http.ts";
import { authorizationRequest, discover } from "../src/login/client.ts";

function user(issuer: DevIssuer, name: string): DevIssuerUser {
  const found = issuer.users.find((u) => u.username === name);
  if (!found) throw new Error(`no user ${name}`);
  return found;
}

/** Verifies an ID token against the JWKS the issuer publishes, fetched over its own CA. */
async function verify(issuer: DevIssuer, idToken: string): Promise<JWTPayload> {
  const fetch = fetchTrusting(issuer.caPEM);
  const discovery = (await (await fetch(`${issuer.issuerURL}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
  const jwks = createLocalJWKSet((await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet);
  const { payload } = await jwtVerify(idToken, jwks, { issuer: issuer.issuerURL, audience: "seedbed" });
  return payload;
}

describe("the development issuer", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-issuer-"));
  let issuer: DevIssuer;
  const client = (): { issuerURL: string; clientID: string; caPEM: string } => ({ issuerURL: issuer.issuerURL, clientID: issuer.clientID, caPEM: issuer.caPEM });

  beforeAll(async () => {
    issuer = await startDevIssuer({ dir, port: 0 });
  });
  afterAll(async () => {
    await issuer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps its state in a 0700 directory with the secrets in 0600 files", () => {
    expect(issuer.issuerURL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(issuer.caFile).toBe(join(dir, "ca.crt"));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ["users.json", "jwks.json", "ca.key", "tls.key"]) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    expect(issuer.users.map((u) => u.username)).toEqual(["admin", "alice", "bob", "carol"]);
  });

  it("lets a page on loopback (the dashboard) call its token endpoint, and no other origin", async () => {
    const fetch = fetchTrusting(issuer.caPEM);
    const tokenFrom = async (origin: string): Promise<Response> =>
      fetch(`${issuer.issuerURL}/token`, {
        method: "POST",
        headers: { origin, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: "not-a-token", client_id: "seedbed" }).toString(),
      });
    for (const origin of ["http://127.0.0.1:8080", "http://localhost:31001"]) {
      const response = await tokenFrom(origin);
      expect(response.headers.get("access-control-allow-origin"), origin).toBe(origin);
      expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
    }
    for (const origin of ["http://evil.example", "https://127.0.0.1:8080", "http://127.0.0.1.evil.example:8080"]) {
      const response = await tokenFrom(origin);
      expect(response.headers.get("access-control-allow-origin"), origin).toBeNull();
    }
  });

  it("adds a seed user a newer release brings to an older users file, keeping every password", async () => {
    const { loadOrCreateUsers } = await import("../src/issuer/users.ts");
    const older = mkdtempSync(join(tmpdir(), "seedbed-issuer-users-"));
    try {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(join(older, "users.json"), JSON.stringify({ users: [{ username: "alice", email: "alice@example.com", password: "kept-password" }] }));
      const users = await loadOrCreateUsers(older);
      expect(users.map((u) => u.username)).toEqual(["alice", "admin", "bob", "carol"]);
      expect(users.find((u) => u.username === "alice")?.password).toBe("kept-password");
      expect((await loadOrCreateUsers(older)).map((u) => u.password)).toEqual(users.map((u) => u.password));
    } finally {
      rmSync(older, { recursive: true, force: true });
    }
  });

  it("logs alice in with her password and issues an ID token for seedbed with her e-mail and groups", async () => {
    const tokens = await loginWithPassword({ ...client(), username: "alice", password: user(issuer, "alice").password });
    const claims = await verify(issuer, tokens.idToken);
    expect(claims).toMatchObject({
      iss: issuer.issuerURL,
      aud: "seedbed",
      sub: "alice",
      email: "alice@example.com",
      email_verified: true,
      name: "Alice",
      preferred_username: "alice",
      groups: [],
    });
    expect(tokens.expiresAt).toBe(claims.exp);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
    expect(tokens.refreshToken).toBeTypeOf("string");
  });

  it("refuses a wrong password with a clear message", async () => {
    await expect(loginWithPassword({ ...client(), username: "alice", password: "not-her-password" })).rejects.toThrow(
      "login failed for alice: invalid user name or password",
    );
    await expect(loginWithPassword({ ...client(), username: "nobody", password: user(issuer, "alice").password })).rejects.toThrow(
      "login failed for nobody: invalid user name or password",
    );
  });

  it("shows the login form again with the error after a wrong password", async () => {
    const config = await discover(client());
    const request = await authorizationRequest(config, "http://127.0.0.1/callback");
    const session = new FormSession(fetchTrusting(issuer.caPEM));
    const loginPage = await session.navigate(request.url);
    if (loginPage instanceof URL) throw new Error("expected the login page");
    const form = formsOf(loginPage)[0];
    expect(form && [...form.fields.keys()]).toEqual(["login", "password"]);
    form?.fields.set("login", "bob");
    form?.fields.set("password", "guess");
    const again = form && (await session.submit(form));
    if (!again || again instanceof URL) throw new Error("expected the login page again");
    expect(again.status).toBe(401);
    expect(again.html).toContain("Invalid user name or password");
    expect(again.html).not.toContain("guess");
  });

  it("requires PKCE and answers requests it cannot redirect with its own error page", async () => {
    const fetch = fetchTrusting(issuer.caPEM);
    const withoutPKCE = new URL(`${issuer.issuerURL}/auth`);
    withoutPKCE.search = new URLSearchParams({ client_id: "seedbed", response_type: "code", scope: "openid", redirect_uri: "http://127.0.0.1:8123/callback" }).toString();
    const refused = await fetch(withoutPKCE.href, { redirect: "manual" });
    const location = new URL(refused.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("http://127.0.0.1:8123/callback");
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("error_description")).toMatch(/PKCE/);

    const unknownClient = new URL(withoutPKCE);
    unknownClient.searchParams.set("client_id", "someone-else");
    const errorPage = await fetch(unknownClient.href, { redirect: "manual" });
    expect(errorPage.status).toBe(400);
    const html = await errorPage.text();
    expect(html).toContain("<title>Sign-in error</title>");
    expect(html).toContain("invalid_client");
    expect(html).not.toContain("fonts.googleapis.com");
  });

  it("refreshes to a new ID token and rotates the refresh token, so the old one is refused", async () => {
    const tokens = await loginWithPassword({ ...client(), username: "bob", password: user(issuer, "bob").password });
    const refreshed = await refreshTokens(tokens, issuer.caPEM);
    expect(refreshed.refreshToken).toBeTypeOf("string");
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(await verify(issuer, refreshed.idToken)).toMatchObject({ sub: "bob", email: "bob@example.com", aud: "seedbed" });
    await expect(refreshTokens(tokens, issuer.caPEM)).rejects.toThrow(/refresh at https:\/\/127\.0\.0\.1:\d+ failed: invalid_grant/);
  });

  it("runs the device flow with the user code and login form submitted over HTTP", async () => {
    let prompt: { verificationURI: string; userCode: string } | undefined;
    let lastPage = "";
    const tokens = await loginWithDeviceCode({
      ...client(),
      onCode: async (shown) => {
        prompt = shown;
        const result = await signInOverHTTP({ url: shown.verificationURI, caPEM: issuer.caPEM, username: "bob", password: user(issuer, "bob").password, userCode: shown.userCode });
        lastPage = result instanceof URL ? result.href : result.html;
      },
    });
    expect(prompt?.verificationURI).toBe(`${issuer.issuerURL}/device`);
    expect(prompt?.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(lastPage).toContain("The device is signed in");
    expect(await verify(issuer, tokens.idToken)).toMatchObject({ sub: "bob", email: "bob@example.com", groups: [] });
    expect(tokens.refreshToken).toBeTypeOf("string");
  });

  it("runs the browser flow through a loopback listener on a random port", async () => {
    let opened = "";
    let browser: Promise<unknown> = Promise.resolve();
    const tokens = await loginWithBrowser({
      ...client(),
      // Like a real browser, the pages may still be loading when the login returns.
      openURL: (url) => {
        opened = url;
        browser = signInOverHTTP({ url, caPEM: issuer.caPEM, username: "admin", password: user(issuer, "admin").password });
      },
    });
    const result = await browser;
    const lastPage = result instanceof URL ? result.href : (result as { html: string }).html;
    const redirect = new URL(new URL(opened).searchParams.get("redirect_uri") ?? "");
    expect(redirect.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(redirect.pathname).toBe("/callback");
    expect(new URL(opened).searchParams.get("code_challenge_method")).toBe("S256");
    expect(lastPage).toContain("You are logged in to Seedbed");
    expect(await verify(issuer, tokens.idToken)).toMatchObject({ sub: "admin", email: "admin@example.com", groups: ["seedbed:admins"] });
  });

  it("rejects a browser callback whose state is not the one it sent, and tells the browser", async () => {
    let page = "";
    const login = loginWithBrowser({
      ...client(),
      openURL: async (url) => {
        const callback = new URL(new URL(url).searchParams.get("redirect_uri") ?? "");
        callback.search = new URLSearchParams({ code: "stolen", state: "not-the-state", iss: issuer.issuerURL }).toString();
        page = await (await fetch(callback)).text();
      },
    });
    await expect(login).rejects.toThrow(/login at https:\/\/127\.0\.0\.1:\d+ failed: invalid response encountered: unexpected "state"/);
    await expect.poll(() => page).toContain("The login did not complete");
  });

  it("keeps keys, passwords and refresh tokens across a restart on the same directory", async () => {
    const before: TokenSet = await loginWithPassword({ ...client(), username: "alice", password: user(issuer, "alice").password });
    const { port } = new URL(issuer.issuerURL);
    const usersBefore = issuer.users;
    await issuer.stop();
    issuer = await startDevIssuer({ dir, port: Number(port) });
    expect(issuer.users).toEqual(usersBefore);
    expect(await verify(issuer, before.idToken)).toMatchObject({ sub: "alice" });
    const refreshed = await refreshTokens(before, issuer.caPEM);
    expect(await verify(issuer, refreshed.idToken)).toMatchObject({ sub: "alice" });
  });

  it("issues ID tokens with the configured lifetime", async () => {
    const shortDir = mkdtempSync(join(tmpdir(), "seedbed-issuer-short-"));
    const short = await startDevIssuer({ dir: shortDir, port: 0, idTokenTTLSeconds: 5 });
    try {
      const tokens = await loginWithPassword({ issuerURL: short.issuerURL, clientID: short.clientID, caPEM: short.caPEM, username: "bob", password: user(short, "bob").password });
      const claims = await verify(short, tokens.idToken);
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(5);
    } finally {
      await short.stop();
      rmSync(shortDir, { recursive: true, force: true });
    }
  });
});
