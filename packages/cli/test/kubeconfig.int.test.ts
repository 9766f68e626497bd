import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { apiVersion, installCRDs } from "@seedbed/api";
import { binaryPath } from "@seedbed/binaries";
import { renderAuthenticationConfiguration } from "@seedbed/controlplane";
import { startDevIssuer, type DevIssuer } from "@seedbed/identity";
import { apply, ObjectClient } from "@seedbed/runtime";
import { run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;


/**
 * `seedbed kubeconfig` and the CLI's answers to missing or refused
 * credentials, with real logins: the development issuer, and a
 * kube-apiserver that trusts it. The same API server stands in for the
 * tenant: the Cluster's status names it as the endpoint, so a kubeconfig
 * of the cluster reaches it and `kubectl auth whoami` says who logged in.
 */
describe("seedbed kubeconfig: one file, each user as themselves", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-cli-kubeconfig-"));
  const configPath = join(dir, "authentication-config.yaml");
  let issuer: DevIssuer;

  beforeAll(async () => {
    // Before the API server: it reads the configuration at start.
    issuer = await startDevIssuer({ dir: join(dir, "issuer"), port: 0 });
    writeFileSync(configPath, renderAuthenticationConfiguration({ issuers: [{ issuerURL: issuer.issuerURL, caPEM: issuer.caPEM, clientID: issuer.clientID }] }));
    writeFileSync(join(dir, "issuer-ca.pem"), issuer.caPEM);
  });
  const api = useKubeAPI({ apiServerExtraFlags: { "authentication-config": configPath } });
  afterAll(async () => {
    await issuer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Each user's own environment: their own credential store, one platform home. */
  const envOf = (user: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, SEEDBED_HOME: join(dir, "home"), SEEDBED_CREDENTIALS: join(dir, `credentials-${user}`) };
    delete env.SEEDBED_KUBECONFIG; // the login decides, not a kubeconfig the test run may have set
    return env;
  };
  const seedbed = (env: NodeJS.ProcessEnv, ...args: string[]): Promise<RunResult> => run(process.execPath, [cli, ...args], env, { timeoutMs: 60_000 });
  const kubectl = (env: NodeJS.ProcessEnv, kubeconfig: string, ...args: string[]): Promise<RunResult> => run(binaryPath("kubectl"), ["--kubeconfig", kubeconfig, ...args], env, { timeoutMs: 60_000 });
  const managementCA = (): string => Buffer.from(api().kubeConfig().getCurrentCluster()?.caData ?? "", "base64").toString("utf8");

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    const client = ObjectClient.fromKubeConfig(kc);
    const put = (obj: object): Promise<unknown> => apply(client, obj as KubernetesObject);
    await put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "project-a" } });
    // alice and bob may read the project's clusters (what `seedbed kubeconfig` reads), as project members may.
    await put({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "read-clusters", namespace: "project-a" }, rules: [{ apiGroups: ["seedbed.dev"], resources: ["clusters"], verbs: ["get", "list"] }] });
    await put({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "members", namespace: "project-a" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-clusters" },
      subjects: ["alice@example.com", "bob@example.com"].map((name) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name })),
    });
    await put({ apiVersion, kind: "Cluster", metadata: { name: "web", namespace: "project-a" }, spec: {} });
    await client.request("PATCH", `/apis/${apiVersion}/namespaces/project-a/clusters/web/status`, {
      body: { status: { endpoint: api().server, certificateAuthority: managementCA() } },
      contentType: "application/merge-patch+json",
    });
    writeFileSync(join(dir, "server-ca.pem"), managementCA());
    for (const user of ["alice", "bob"]) {
      const password = issuer.users.find((u) => u.username === user)?.password ?? "";
      const login = await seedbed(envOf(user), "login", "--user", user, "--password", password, "--issuer", issuer.issuerURL, "--issuer-ca", join(dir, "issuer-ca.pem"), "--server", api().server, "--server-ca", join(dir, "server-ca.pem"));
      expect(login.status, login.stderr).toBe(0);
    }
  }, 120_000);

  it("hands out a file that names no credential store, and each user of it logs in as themselves", async () => {
    const printed = await seedbed(envOf("alice"), "kubeconfig", "web", "--project", "a");
    expect(printed.status, printed.stderr).toBe(0);
    const file = join(dir, "team.kubeconfig");
    writeFileSync(file, printed.stdout, { mode: 0o600 });
    expect(printed.stdout).not.toContain("SEEDBED_CREDENTIALS");
    expect(printed.stdout).not.toContain(join(dir, "credentials-alice"));
    expect(printed.stdout).not.toContain("alice");
    expect(printed.stdout).toMatch(/args:\n\s+- .*seedbed\.ts\n\s+- token/);

    // The API server learns the issuer's keys shortly after it starts: wait for alice's first success.
    const whoami = (user: string): Promise<RunResult> => kubectl(envOf(user), file, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
    const deadline = Date.now() + 60_000;
    let alice = await whoami("alice");
    while (alice.stdout !== "alice@example.com" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      alice = await whoami("alice");
    }
    expect(alice.stdout, alice.stderr).toBe("alice@example.com");
    expect((await whoami("bob")).stdout).toBe("bob@example.com");
    // Someone with no session of their own gets no one's access, and is told to log in.
    const nobody = await whoami("nobody");
    expect(nobody.status).not.toBe(0);
    expect(nobody.stderr).toContain("log in again: seedbed login");
  }, 90_000);

  it("refuses the default kubeconfig without a login, saying to log in or use --admin (exit 10)", async () => {
    const refused = await seedbed(envOf("nobody"), "kubeconfig", "web", "--project", "a");
    expect(refused.status).toBe(10);
    expect(refused.stderr).toContain("not logged in");
    expect(refused.stderr).toContain("Log in first: seedbed login");
    expect(refused.stderr).toContain("--admin");
    expect(refused.stdout).toBe("");
  });

  it("maps a 401 of the management API to exit 10 with a message to log in again", async () => {
    const bogus = join(dir, "bogus.kubeconfig");
    // alice's own management kubeconfig, with a token the API server does not know instead of her plugin.
    const config = parse(readFileSync(join(dir, "credentials-alice", "management.kubeconfig"), "utf8")) as { users: { user: object }[] };
    for (const entry of config.users) entry.user = { token: "not-a-valid-token" };
    writeFileSync(bogus, stringify(config));
    const refused = await seedbed(envOf("alice"), "cluster", "list", "--project", "a", "--kubeconfig", bogus);
    expect(refused.status, refused.stderr).toBe(10);
    expect(refused.stderr).toContain("did not accept your credentials (401");
    expect(refused.stderr).toContain("log in again: seedbed login");
  });

  it("maps a session that is gone to exit 10 too", async () => {
    // bob's store loses its tokens: the login kubeconfig's plugin can no longer get him a token.
    rmSync(join(dir, "credentials-bob", "tokens.json"));
    const expired = await seedbed(envOf("bob"), "cluster", "list", "--project", "a");
    expect(expired.status, expired.stderr).toBe(10);
    expect(expired.stderr).toContain("log in again: seedbed login");
  });
});
