import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiException, AuthenticationV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { apiVersion, defaultOIDCPrefix, type Cluster, type Project } from "@seedbed/api";
import { renderAuthenticationConfiguration, type JWTIssuerConfig } from "@seedbed/controlplane";
import { loginWithPassword, startDevIssuer, type DevIssuer } from "@seedbed/identity";
import { signTestToken } from "@seedbed/identity/testing";
import { eventually, startKubeAPI, type KubeAPI } from "@seedbed/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { authenticationConfigFor } from "../src/reconcilers/cluster/access.ts";
import { renderTenantRBAC } from "../src/reconcilers/tenantrbac/render.ts";

/** Who a tenant API server takes a bearer for, and whether it may do everything and read kube-system's Secrets. */
interface Outcome {
  /** 201 when the token is accepted, 401 when refused. */
  readonly status: number;
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly clusterAdmin?: boolean;
  /** The status of GET /api/v1/namespaces/kube-system/secrets. */
  readonly readSecrets?: number;
}

const owner = "alice@example.com";

/**
 * An editor of project a sets spec.auth.oidc on a Cluster to an issuer
 * they run, and mints tokens there that claim the owner's e-mail and the
 * group system:masters. A real tenant kube-apiserver, configured as the
 * operator configures it (the platform's issuer and the cluster's own,
 * tenant RBAC making the owner cluster-admin), must not give them the
 * owner's or the masters' rights. The same attack against the
 * configuration Seedbed rendered before (no prefixes, no validation rules)
 * succeeds: that is what the assertions would have seen without the fix.
 */
describe("a cluster's own issuer cannot make anyone cluster-admin", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-cluster-issuer-"));
  let platform: DevIssuer;
  let attacker: DevIssuer;
  let login: JWTIssuerConfig;
  let editorsCluster: Cluster;

  beforeAll(async () => {
    platform = await startDevIssuer({ dir: join(dir, "platform"), port: 0 });
    // The attacker's issuer is the development issuer too, with a user of their making.
    mkdirSync(join(dir, "attacker"), { mode: 0o700 });
    const mallory = { username: "mallory", email: owner, name: "Mallory", password: "mallory-password-1234", groups: ["system:masters"] };
    writeFileSync(join(dir, "attacker", "users.json"), JSON.stringify({ users: [mallory] }), { mode: 0o600 });
    attacker = await startDevIssuer({ dir: join(dir, "attacker"), port: 0 });
    login = { issuerURL: platform.issuerURL, clientID: platform.clientID, caPEM: platform.caPEM };
    // As the management API stores what the editor wrote (usernameClaim: email, nothing else): defaults filled in.
    editorsCluster = {
      apiVersion,
      kind: "Cluster",
      metadata: { name: "web", namespace: "project-a" },
      spec: { paused: false, auth: { platformLogin: true, oidc: { issuerURL: attacker.issuerURL, clientID: attacker.clientID, usernameClaim: "email", groupsClaim: "groups", usernamePrefix: defaultOIDCPrefix, groupsPrefix: defaultOIDCPrefix } } },
    };
  });
  afterAll(async () => {
    await platform.stop();
    await attacker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The owner's real token from the platform, and the attacker's two tokens from their own issuer. */
  const tokens = async (): Promise<{ owner: string; mallory: string; signedByAttacker: string }> => ({
    owner: (await loginWithPassword({ issuerURL: platform.issuerURL, clientID: platform.clientID, caPEM: platform.caPEM, username: "alice", password: platform.users.find((u) => u.username === "alice")?.password ?? "" })).idToken,
    mallory: (await loginWithPassword({ issuerURL: attacker.issuerURL, clientID: attacker.clientID, caPEM: attacker.caPEM, username: "mallory", password: "mallory-password-1234" })).idToken,
    // The same claims signed by hand with the attacker's key: the issuer is theirs, so anything goes.
    signedByAttacker: await signTestToken({ dir: join(dir, "attacker"), issuerURL: attacker.issuerURL, audience: attacker.clientID, claims: { email: owner, groups: ["system:masters"] } }),
  });

  describe("as Seedbed configures the tenant now", () => {
    let tenant: KubeAPI;
    beforeAll(async () => {
      tenant = await startTenant(withIssuerCA(authenticationConfigFor(editorsCluster, undefined, { login }), attacker));
    }, 180_000);
    afterAll(() => tenant.stop(), 60_000);

    it("keeps the owner cluster-admin through the platform's login (the control)", async () => {
      const token = (await tokens()).owner;
      const result = await eventually(() => outcome(tenant, token), (r) => r.status === 201, { timeoutMs: 60_000, description: "the owner's token accepted" });
      expect(result).toMatchObject({ username: owner, clusterAdmin: true, readSecrets: 200 });
    });

    it.each(["mallory", "signedByAttacker"] as const)("gives the attacker's %s token, claiming the owner's e-mail and system:masters, only oidc: names that RBAC denies", async (which) => {
      // Accepted (201) proves the API server reached the attacker's issuer: the denial is RBAC's, not a failed fetch.
      const token = (await tokens())[which];
      const result = await eventually(() => outcome(tenant, token), (r) => r.status === 201, { timeoutMs: 60_000, description: "the attacker's token accepted" });
      expect(result.username).toBe(`oidc:${owner}`);
      expect(result.groups).toEqual(["oidc:system:masters", "system:authenticated"]);
      expect(result).toMatchObject({ clusterAdmin: false, readSecrets: 403 });
    });

    it.each([
      ["the group system:masters", { groups: ["system:masters"] }],
      ["the user name system:kube-controller-manager", { email: "system:kube-controller-manager" }],
    ])("refuses a token of the platform's own issuer claiming %s with 401", async (_name, claims) => {
      const sign = (extra: Record<string, unknown>): Promise<string> => signTestToken({ dir: join(dir, "platform"), issuerURL: platform.issuerURL, audience: platform.clientID, claims: extra });
      // The same token without the claim is accepted: the 401 below is the rule's, not a key not yet fetched.
      const plain = await sign({});
      await eventually(() => outcome(tenant, plain), (r) => r.status === 201, { timeoutMs: 60_000, description: "a plain platform token accepted" });
      expect(await outcome(tenant, await sign(claims))).toEqual({ status: 401 });
    });
  });

  describe("as Seedbed configured it before (no prefixes, no userValidationRules): the attack works", () => {
    let tenant: KubeAPI;
    beforeAll(async () => {
      const before = renderAuthenticationConfiguration({ issuers: [login, { issuerURL: attacker.issuerURL, clientID: attacker.clientID, usernameClaim: "email", groupsClaim: "groups" }] });
      const config = parse(before) as { jwt: Record<string, unknown>[] };
      for (const issuer of config.jwt) delete issuer.userValidationRules;
      tenant = await startTenant(withIssuerCA(stringify(config, { lineWidth: 0 }), attacker));
    }, 180_000);
    afterAll(() => tenant.stop(), 60_000);

    it.each(["mallory", "signedByAttacker"] as const)("makes the attacker's %s token the owner and a master", async (which) => {
      const token = (await tokens())[which];
      const result = await eventually(() => outcome(tenant, token), (r) => r.status === 201, { timeoutMs: 60_000, description: "the attacker's token accepted" });
      expect(result).toMatchObject({ username: owner, clusterAdmin: true, readSecrets: 200 });
      expect(result.groups).toContain("system:masters");
    });
  });
});

/**
 * spec.auth.oidc has no CA field: a real attacker's issuer has a publicly
 * trusted certificate. The development issuer's private CA stands in for
 * that public trust; nothing else of the rendered configuration changes.
 */
function withIssuerCA(config: string | undefined, issuer: DevIssuer): string {
  if (config === undefined) throw new Error("the cluster trusts no issuer");
  const parsed = parse(config) as { jwt: { issuer: { url: string; certificateAuthority?: string } }[] };
  const entry = parsed.jwt.find((j) => j.issuer.url === issuer.issuerURL);
  if (!entry) throw new Error(`the configuration does not trust ${issuer.issuerURL}`);
  expect(entry.issuer.certificateAuthority).toBeUndefined();
  entry.issuer.certificateAuthority = issuer.caPEM;
  return stringify(parsed, { lineWidth: 0 });
}

/** A tenant kube-apiserver with this AuthenticationConfiguration and project a's RBAC, as tenantrbac applies it (alice owner). */
async function startTenant(authenticationConfig: string): Promise<KubeAPI> {
  const tenant = await startKubeAPI({ authenticationConfig });
  const project: Project = { apiVersion, kind: "Project", metadata: { name: "a" }, spec: { members: [{ kind: "User", name: owner, role: "owner" }, { kind: "Group", name: "team-a", role: "editor" }] } } as unknown as Project;
  const objects = KubernetesObjectApi.makeApiClient(tenant.kubeConfig());
  for (const binding of renderTenantRBAC(project)) await objects.create(binding);
  return tenant;
}

/** What the tenant makes of a bearer token: who it is (SelfSubjectReview) and what it may do. */
async function outcome(tenant: KubeAPI, token: string): Promise<Outcome> {
  const admin = tenant.kubeConfig();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "tenant", server: tenant.server, caData: admin.getCurrentCluster()?.caData }],
    users: [{ name: "bearer", token }],
    contexts: [{ name: "tenant", cluster: "tenant", user: "bearer" }],
    currentContext: "tenant",
  });
  let review;
  try {
    review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } });
  } catch (error) {
    if (error instanceof ApiException) return { status: error.code };
    throw error;
  }
  const access = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: "*", group: "*", resource: "*" } } } });
  let readSecrets = 200;
  try {
    await kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: "kube-system" });
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    readSecrets = error.code;
  }
  const user = review.status?.userInfo;
  return { status: 201, ...(user?.username === undefined ? {} : { username: user.username }), groups: user?.groups ?? [], clusterAdmin: access.status?.allowed === true, readSecrets };
}
