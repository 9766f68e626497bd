import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { binaryPath } from "@seedbed/binaries";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { renderAuthenticationConfiguration } from "@seedbed/controlplane";
import { loginWithPassword, startDevIssuer, TokenStore, type DevIssuer, type TokenSet } from "../src/index.ts";
import { signTestToken } from "../src/testing.ts";
import { fetchTrusting } from "../src/login/http.ts";

interface Review {
  readonly status: number;
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly message?: string;
}

describe("ID tokens of the development issuer at a real kube-apiserver", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-identity-kube-"));
  const configPath = join(dir, "authentication-config.yaml");
  let issuer: DevIssuer;
  let other: DevIssuer;

  // Before the API server: it reads the configuration at start, and the
  // issuer must answer its discovery by then.
  beforeAll(async () => {
    issuer = await startDevIssuer({ dir: join(dir, "issuer"), port: 0 });
    other = await startDevIssuer({ dir: join(dir, "other"), port: 0 });
    writeFileSync(configPath, renderAuthenticationConfiguration({ issuers: [{ issuerURL: issuer.issuerURL, caPEM: issuer.caPEM, clientID: issuer.clientID }] }));
  });
  const api = useKubeAPI({ apiServerExtraFlags: { "authentication-config": configPath } });
  afterAll(async () => {
    await issuer.stop();
    await other.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const login = (from: DevIssuer, username: string): Promise<TokenSet> => {
    const password = from.users.find((u) => u.username === username)?.password ?? "";
    return loginWithPassword({ issuerURL: from.issuerURL, clientID: from.clientID, caPEM: from.caPEM, username, password });
  };

  /** Who the API server takes the bearer of this token for (POST selfsubjectreviews). */
  const review = async (token?: string): Promise<Review> => {
    const caData = api().kubeConfig().getCurrentCluster()?.caData ?? "";
    const fetch = fetchTrusting(Buffer.from(caData, "base64").toString("utf8"));
    const response = await fetch(`${api().server}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
    });
    const body = (await response.json()) as { status?: { userInfo?: { username?: string; groups?: string[] } }; message?: string };
    return { status: response.status, ...body.status?.userInfo, ...(body.message === undefined ? {} : { message: body.message }) };
  };

  it("accepts alice's ID token once the API server has fetched the issuer's keys, as alice@example.com", async () => {
    const tokens = await login(issuer, "alice");
    const began = Date.now();
    const accepted = await eventually(() => review(tokens.idToken), (r) => r.status === 201, { timeoutMs: 60_000, description: "alice's token accepted" });
    process.stderr.write(`[identity] kube-apiserver accepted the first ID token ${Date.now() - began} ms after it was ready\n`);
    expect(accepted.username).toBe("alice@example.com");
    expect(accepted.groups).toEqual(["system:authenticated"]);
  });

  it("maps the groups claim: admin is in seedbed:admins", async () => {
    const admin = await review((await login(issuer, "admin")).idToken);
    expect(admin).toMatchObject({ status: 201, username: "admin@example.com" });
    expect(admin.groups).toEqual(["seedbed:admins", "system:authenticated"]);
  });

  it("accepts a token signed with the issuer's key when nothing is wrong with it (the control for the rejections below)", async () => {
    const token = await signTestToken({ dir: join(dir, "issuer"), issuerURL: issuer.issuerURL, audience: "seedbed" });
    expect(await review(token)).toMatchObject({ status: 201, username: "alice@example.com" });
  });

  it("treats a request without a token as anonymous, which RBAC forbids (403, not 401)", async () => {
    const anonymous = await review();
    expect(anonymous.status).toBe(403);
    expect(anonymous.message).toContain('User "system:anonymous" cannot create resource "selfsubjectreviews"');
  });

  it.each([
    ["from another issuer", async (): Promise<string> => (await login(other, "alice")).idToken],
    ["for another audience", (): Promise<string> => signTestToken({ dir: join(dir, "issuer"), issuerURL: issuer.issuerURL, audience: "someone-else" })],
    [
      "that has expired",
      (): Promise<string> => {
        const now = Math.floor(Date.now() / 1000);
        return signTestToken({ dir: join(dir, "issuer"), issuerURL: issuer.issuerURL, audience: "seedbed", issuedAt: now - 900, expiresAt: now - 300 });
      },
    ],
    ["with a forged signature under the issuer's kid", (): Promise<string> => signTestToken({ dir: join(dir, "issuer"), issuerURL: issuer.issuerURL, audience: "seedbed", forgeSignature: true })],
    [
      "whose e-mail is not verified",
      (): Promise<string> => signTestToken({ dir: join(dir, "issuer"), issuerURL: issuer.issuerURL, audience: "seedbed", claims: { email_verified: false } }),
    ],
  ])("refuses a token %s with 401", async (_name, token) => {
    const refused = await review(await token());
    expect(refused.status).toBe(401);
    expect(refused.username).toBeUndefined();
  });

  it("lets kubectl authenticate through an exec plugin that refreshes a stored token about to expire", async () => {
    const tokenFile = join(dir, "tokens", "alice.json");
    const tokens = await login(issuer, "alice");
    // Claim the ID token expires in 30 s, so the plugin must refresh before answering.
    await new TokenStore({ path: tokenFile }).save({ ...tokens, expiresAt: Math.floor(Date.now() / 1000) + 30 });
    const kubeconfigPath = join(dir, "alice.kubeconfig");
    writeFileSync(kubeconfigPath, execKubeconfig(api().server, api().kubeConfig().getCurrentCluster()?.caData ?? "", tokenFile, issuer.caFile));

    // Asynchronously: the issuer the plugin refreshes at runs in this process.
    const whoami = await promisify(execFile)(binaryPath("kubectl"), ["--kubeconfig", kubeconfigPath, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], { encoding: "utf8" });
    expect(whoami.stderr).toBe("");
    expect(whoami.stdout).toBe("alice@example.com");
    const stored = await new TokenStore({ path: tokenFile }).load();
    expect(stored?.refreshToken).not.toBe(tokens.refreshToken);
    // The refreshed ID token may equal the first one byte for byte when both are issued in the same second.
    expect(stored?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 500);
    expect(JSON.parse(readFileSync(tokenFile, "utf8"))).toMatchObject({ version: 1 });
  });
});

function execKubeconfig(server: string, caData: string, tokenFile: string, caFile: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "test", cluster: { server, "certificate-authority-data": caData } }],
    users: [
      {
        name: "alice",
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1",
            command: process.execPath,
            args: [fileURLToPath(new URL("fixtures/exec-plugin.ts", import.meta.url))],
            env: [
              { name: "SEEDBED_TOKEN_FILE", value: tokenFile },
              { name: "SEEDBED_ISSUER_CA_FILE", value: caFile },
            ],
            interactiveMode: "Never",
          },
        },
      },
    ],
    contexts: [{ name: "test", context: { cluster: "test", user: "alice" } }],
    "current-context": "test",
  });
}
