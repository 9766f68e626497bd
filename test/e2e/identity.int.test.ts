import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:https";
import { connect, type PeerCertificate } from "node:tls";
import { reservePorts, type PortReservation } from "@seedbed/controlplane";
import { signTestToken } from "@seedbed/identity/testing";
import { eventually } from "@seedbed/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { kubectl, seedbed, seedbedAsync, startPlatform, stopPlatform, type RunningPlatform } from "./platform.ts";

interface PlatformJSON {
  managementServer: string;
  managementCA: string;
  issuerURL: string;
  clientID: string;
  apiURL: string;
  sharedEndpoint: { port: number; domain: string };
}

interface ClusterJSON {
  metadata: { uid: string };
  status?: { certificateAuthority?: string; endpoint?: string; sharedEndpoint?: string };
}

/**
 * Logins and isolation through `seedbed up`, the CLI, kubectl, the REST API
 * and the SNI gateway, with real tokens from the development issuer: what
 * one project's members may do, and that nobody reaches another project's
 * clusters, credentials or events.
 */
describe("one login for everything, and projects kept apart", () => {
  let home: string;
  let port: PortReservation;
  let platform: RunningPlatform | undefined;
  let info: PlatformJSON;
  const env: Record<string, NodeJS.ProcessEnv> = {};
  const password: Record<string, string> = {};
  const as = (user: string, ...args: string[]): ReturnType<typeof seedbed> => seedbed(env[user] ?? {}, ...args);
  const tokenOf = (user: string): string => (JSON.parse(as(user, "token").stdout) as { status: { token: string } }).status.token;
  /** The status of a SelfSubjectReview on the management API with this bearer token (or none). */
  const review = (token: string | undefined): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
      const req = request(`${info.managementServer}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { method: "POST", ca: info.managementCA, headers: { "content-type": "application/json", ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once("error", reject);
      req.end(body);
    });
  /**
   * A kubeconfig of `seedbed kubeconfig`, saved for kubectl as `credentialsOf`
   * would run it: the file names no credential store (whoever runs it logs
   * in as themselves), so the store of `credentialsOf` is added here, as
   * their environment would give it.
   */
  const saveKubeconfig = (user: string, cluster: string, project: string, credentialsOf = user): string => {
    const printed = as(user, "kubeconfig", cluster, "--project", project);
    expect(printed.status, printed.stderr).toBe(0);
    expect(printed.stdout).not.toContain("SEEDBED_CREDENTIALS");
    const config = parse(printed.stdout) as { users: { user: { exec: { env?: { name: string; value: string }[] } } }[] };
    for (const entry of config.users) entry.user.exec.env = [{ name: "SEEDBED_CREDENTIALS", value: join(home, `creds-${credentialsOf}`) }];
    const file = join(home, `${cluster}-as-${credentialsOf}.kubeconfig`);
    writeFileSync(file, stringify(config), { mode: 0o600 });
    return file;
  };
  const rest = async (user: string | undefined, path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: { error?: { message: string } } & Record<string, unknown> }> => {
    const token = init.token ?? (user === undefined ? undefined : tokenOf(user));
    const response = await fetch(`${info.apiURL}${path}`, {
      method: init.method ?? "GET",
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: response.status, body: (await response.json()) as { error?: { message: string } } };
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "seedbed-identity-"));
    port = await reservePorts(1);
    const base = { SEEDBED_HOME: home, SEEDBED_API_PORT: String(port.ports[0]) };
    platform = await startPlatform(base);
    info = JSON.parse(readFileSync(join(home, "platform.json"), "utf8")) as PlatformJSON;
    for (const user of ["alice", "bob"]) {
      password[user] = new RegExp(`${user}\\s+${user}@example\\.com\\s+password (\\S+)`).exec(platform.output())?.[1] ?? "";
      env[user] = { ...base, SEEDBED_CREDENTIALS: join(home, `creds-${user}`) };
    }
    env.admin = { ...base, SEEDBED_KUBECONFIG: join(home, "management.kubeconfig") };
    for (const user of ["alice", "bob"]) {
      const login = as(user, "login", "--user", user, "--password", password[user] ?? "");
      expect(login.status, login.stderr).toBe(0);
    }
    // A cluster in each project, side by side.
    const created = await Promise.all([seedbedAsync(env.alice ?? {}, "cluster", "create", "a1", "--project", "a", "--wait"), seedbedAsync(env.bob ?? {}, "cluster", "create", "b1", "--project", "b", "--wait")]);
    for (const result of created) expect(result.status, result.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await stopPlatform(platform, home, port);
  }, 60_000);

  it("prints the development users and how to log in when it starts", () => {
    const output = platform?.output() ?? "";
    expect(output).toMatch(/admin\s+admin@example\.com\s+password \S{16,}\s+\(groups: seedbed:admins\)/);
    expect(password.alice).toMatch(/^\S{16,}$/);
    expect(output).toContain(`npx seedbed login --user alice --password ${password.alice ?? ""}`);
    expect(output).toContain(info.issuerURL);
  });

  it("refuses a wrong password with a message, and keeps no session", () => {
    const denied = seedbed({ ...env.alice, SEEDBED_CREDENTIALS: join(home, "creds-nobody") }, "login", "--user", "alice", "--password", "not-her-password");
    expect(denied.status).toBe(9);
    expect(denied.stderr).toContain("login failed for alice: invalid user name or password");
    expect(seedbed({ ...env.alice, SEEDBED_CREDENTIALS: join(home, "creds-nobody") }, "token").status).not.toBe(0);
  });

  it("lets alice use her cluster with kubectl as herself; bob is refused its kubeconfig and, with his own token, the cluster", () => {
    expect(as("alice", "whoami").stdout).toMatch(/^alice@example\.com\n/);
    const mine = saveKubeconfig("alice", "a1", "a");
    expect(readFileSync(mine, "utf8")).not.toMatch(/client-key-data|token:/); // no long-lived secret in it
    const namespaces = kubectl(mine, "get", "ns", "-o", "name");
    expect(namespaces.status, namespaces.stderr).toBe(0);
    expect(namespaces.stdout).toContain("namespace/kube-system");
    expect(kubectl(mine, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").stdout).toBe("alice@example.com");
    expect(kubectl(mine, "create", "namespace", "alice-was-here").status).toBe(0); // owners are cluster-admin

    const refused = as("bob", "kubeconfig", "a1", "--project", "a");
    expect(refused.status).toBe(9);
    expect(refused.stderr).toContain('User "bob@example.com" cannot get resource "clusters"');
    const withBobsToken = kubectl(saveKubeconfig("alice", "a1", "a", "bob"), "get", "ns");
    expect(withBobsToken.status).not.toBe(0);
    expect(withBobsToken.stderr).toContain('User "bob@example.com" cannot list resource "namespaces"');
  });

  it("gives the certificate admin kubeconfig only to owners", () => {
    const admin = as("alice", "kubeconfig", "a1", "--project", "a", "--admin");
    expect(admin.status, admin.stderr).toBe(0);
    expect(admin.stdout).toContain("client-key-data");
    const refused = as("bob", "kubeconfig", "a1", "--project", "a", "--admin");
    expect(refused.status).toBe(9);
  });

  it("keeps alice out of project b through the REST API, kubectl on the management API and b's own cluster", async () => {
    expect((await rest("alice", "/api/v1/projects/b")).status).toBe(404);
    const projects = (await rest("alice", "/api/v1/projects")).body as { items: { metadata: { name: string } }[] };
    expect(projects.items.map((p) => p.metadata.name)).toEqual(["a"]);
    for (const path of ["/clusters", "/clusters/b1", "/clusters/b1/kubeconfig", "/clusters/b1/kubeconfig?admin=true", "/clusters/b1/events", "/nodepools", "/watch"]) {
      expect((await rest("alice", `/api/v1/projects/b${path}`)).status, path).toBe(403);
    }
    expect((await rest("alice", "/api/v1/projects/b/clusters/b1", { method: "DELETE" })).status).toBe(403);
    expect((await rest("bob", "/api/v1/projects/b/clusters/b1")).status).toBe(200); // while its owner may
    const own = await rest("alice", "/api/v1/projects/a/clusters/a1/kubeconfig");
    expect(own.status).toBe(200);
    expect(own.body.kubeconfig).toContain("command: ");
    expect(own.body.kubeconfig).not.toContain("client-key-data");

    const aliceKubectl = join(home, "creds-alice", "management.kubeconfig");
    for (const args of [["get", "clusters", "-n", "project-b"], ["get", "secrets", "-n", "project-b"], ["get", "events", "-n", "project-b"], ["get", "projects"]]) {
      const result = kubectl(aliceKubectl, ...args);
      expect(result.status, args.join(" ")).not.toBe(0);
      expect(result.stderr).toContain('User "alice@example.com" cannot');
    }
    expect(kubectl(aliceKubectl, "get", "clusters", "-n", "project-a", "-o", "name").stdout).toContain("a1");

    const b1WithAlicesToken = kubectl(saveKubeconfig("bob", "b1", "b", "alice"), "get", "ns");
    expect(b1WithAlicesToken.stderr).toContain('User "alice@example.com" cannot list resource "namespaces"');
  });

  it("answers 401 to no token, another issuer, another audience, an expired token and a forged signature", async () => {
    const dir = join(home, "oidc");
    const now = Math.floor(Date.now() / 1000);
    const bad: Record<string, string | undefined> = {
      "no token": undefined,
      "another issuer": await signTestToken({ dir, issuerURL: "https://127.0.0.1:1/elsewhere", audience: info.clientID }),
      "another audience": await signTestToken({ dir, issuerURL: info.issuerURL, audience: "someone-else" }),
      expired: await signTestToken({ dir, issuerURL: info.issuerURL, audience: info.clientID, issuedAt: now - 7200, expiresAt: now - 3600 }),
      "forged signature": await signTestToken({ dir, issuerURL: info.issuerURL, audience: info.clientID, forgeSignature: true }),
    };
    // The control: the same helper with nothing wrong is accepted, so each 401 is for its one flaw.
    const good = await signTestToken({ dir, issuerURL: info.issuerURL, audience: info.clientID });
    expect(await review(good)).toBe(201);
    const openapi = await fetch(`${info.apiURL}/openapi.json`); // the one document anyone may read
    expect(openapi.status).toBe(200);
    expect(Object.keys(((await openapi.json()) as { paths: object }).paths)).toContain("/api/v1/projects/{project}/clusters");
    expect((await rest(undefined, "/api/v1/projects/a/clusters", { token: good })).status).toBe(200);
    for (const [flaw, token] of Object.entries(bad)) {
      expect(await review(token), `management API, ${flaw}`).toBe(401);
      expect((await rest(undefined, "/api/v1/projects/a/clusters", { token })).status, `REST API, ${flaw}`).toBe(401);
    }
  });

  it("lets a viewer read but not create or delete, on the management API and in the cluster", async () => {
    const patched = kubectl(join(home, "management.kubeconfig"), "patch", "project", "a", "--type", "json", "-p", JSON.stringify([{ op: "add", path: "/spec/members/-", value: { kind: "User", name: "bob@example.com", role: "viewer" } }]));
    expect(patched.status, patched.stderr).toBe(0);
    await eventually(async () => (await rest("bob", "/api/v1/projects/a/clusters/a1")).status, (status) => status === 200);
    expect(as("bob", "cluster", "list", "--project", "a").stdout).toContain("a1");
    const create = as("bob", "cluster", "create", "bobs", "--project", "a");
    expect(create.status).toBe(9);
    expect(create.stderr).toContain('User "bob@example.com" cannot create resource "clusters"');
    expect(as("bob", "cluster", "delete", "a1", "--project", "a").status).toBe(9);
    expect((await rest("bob", "/api/v1/projects/a/clusters", { method: "POST", body: { metadata: { name: "bobs" }, spec: {} } })).status).toBe(403);
    expect((await rest("bob", "/api/v1/projects/a/clusters/a1", { method: "DELETE" })).status).toBe(403);
    // Inside a1: the platform gave viewers `view` there.
    const asViewer = saveKubeconfig("alice", "a1", "a", "bob");
    await eventually(() => Promise.resolve(kubectl(asViewer, "get", "pods", "-A").status), (status) => status === 0);
    expect(kubectl(asViewer, "create", "namespace", "bob-was-here").stderr).toContain('User "bob@example.com" cannot create resource "namespaces"');

    // Out of the project: out of its cluster too.
    const members = JSON.parse(kubectl(join(home, "management.kubeconfig"), "get", "project", "a", "-o", "jsonpath={.spec.members}").stdout) as { name: string }[];
    const removed = kubectl(join(home, "management.kubeconfig"), "patch", "project", "a", "--type", "json", "-p", JSON.stringify([{ op: "remove", path: `/spec/members/${String(members.findIndex((m) => m.name === "bob@example.com"))}` }]));
    expect(removed.status, removed.stderr).toBe(0);
    const denied = await eventually(() => Promise.resolve(kubectl(asViewer, "get", "pods", "-A")), (result) => result.status !== 0);
    expect(denied.stderr).toContain('User "bob@example.com" cannot list resource "pods"');
  });

  it("says clearly when a project's cluster quota is used up", async () => {
    expect(kubectl(join(home, "management.kubeconfig"), "patch", "project", "b", "--type", "merge", "-p", '{"spec":{"quota":{"clusters":1}}}').status).toBe(0);
    const over = await eventually(() => Promise.resolve(as("bob", "cluster", "create", "b2", "--project", "b")), (result) => result.status !== 0);
    expect(over.stderr).toMatch(/exceeded quota: seedbed-project.*count\/clusters\.seedbed\.dev=1/);
    const viaREST = await rest("bob", "/api/v1/projects/b/clusters", { method: "POST", body: { metadata: { name: "b3" }, spec: {} } });
    expect(viaREST.status).toBe(403);
    expect(viaREST.body.error?.message).toMatch(/exceeded quota: seedbed-project/);
  });

  it("routes each name on the shared endpoint to its own cluster only, and switches a cluster to it in place", async () => {
    const cluster = (user: string, name: string, project: string): ClusterJSON => JSON.parse(as(user, "cluster", "get", name, "--project", project, "-o", "json").stdout) as ClusterJSON;
    const a1 = cluster("alice", "a1", "a");
    const b1 = cluster("bob", "b1", "b");
    expect(a1.status?.sharedEndpoint).toBe(`https://a1.a.seedbed.localhost:${String(info.sharedEndpoint.port)}`);
    const handshake = (servername: string, ca: string): Promise<PeerCertificate | Error> =>
      new Promise((resolve) => {
        const socket = connect({ host: "127.0.0.1", port: info.sharedEndpoint.port, servername, ca }, () => {
          resolve(socket.getPeerCertificate());
          socket.destroy();
        });
        socket.once("error", resolve);
      });
    const toA1 = await handshake("a1.a.seedbed.localhost", a1.status?.certificateAuthority ?? "");
    expect(toA1).not.toBeInstanceOf(Error);
    expect((toA1 as PeerCertificate).subjectaltname).toContain("DNS:a1.a.seedbed.localhost");
    const toB1 = await handshake("b1.b.seedbed.localhost", b1.status?.certificateAuthority ?? "");
    expect((toB1 as PeerCertificate).subjectaltname).toContain("DNS:b1.b.seedbed.localhost");
    // b1's name never lands on a1: a1's CA does not verify what answers there.
    expect(await handshake("b1.b.seedbed.localhost", a1.status?.certificateAuthority ?? "")).toBeInstanceOf(Error);
    for (const unknown of ["a1.b.seedbed.localhost", "zz.a.seedbed.localhost", "a1.a.seedbed.localhost.evil", "seedbed.localhost"]) {
      const result = await handshake(unknown, a1.status?.certificateAuthority ?? "");
      expect(result, unknown).toBeInstanceOf(Error);
    }

    const patched = await rest("alice", "/api/v1/projects/a/clusters/a1", { method: "PATCH", body: { spec: { exposure: { strategy: "SharedSNI" } } } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const viaGateway = saveKubeconfig("alice", "a1", "a");
    expect(readFileSync(viaGateway, "utf8")).toContain(`server: https://127.0.0.1:${String(info.sharedEndpoint.port)}`);
    expect(readFileSync(viaGateway, "utf8")).toContain("tls-server-name: a1.a.seedbed.localhost");
    expect(kubectl(viaGateway, "get", "namespace", "alice-was-here", "-o", "name").stdout).toBe("namespace/alice-was-here\n");
    expect(cluster("alice", "a1", "a").metadata.uid).toBe(a1.metadata.uid); // the same cluster, not a new one
  });
});
