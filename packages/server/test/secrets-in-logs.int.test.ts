import { apiVersion, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { buildKubeconfig, createCertificateAuthority, issueCertificate } from "@seedbed/pki";
import { ObjectClient } from "@seedbed/runtime";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { pino } from "pino";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.ts";
import { bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client, openStream, type Call } from "./http.ts";

/** Every line the server writes, at the most verbose level. */
function traceLogger(): { logger: pino.Logger; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  return { logger: pino({ level: "trace" }, stream), text: () => lines.join("") };
}

describe("secrets never reach the server's log", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  const logs = traceLogger();
  let server: RunningServer;
  let call: Call;
  /** What must never be written: every token, the admin kubeconfig's private key (PEM and base64) and a password-like field. */
  const secrets: string[] = [...Object.values(tokens), "not-a-token-5e1f"];
  let adminKubeconfig = "";

  beforeAll(async () => {
    await bootstrap(api());
    // The member kubeconfig a provider hands out, as `seedbed serve` does: nothing secret in it, but it is downloaded too.
    server = await startTestServer(api(), { logger: logs.logger, kubeconfigFor: (cluster) => `apiVersion: v1\nkind: Config\nclusters: [{ name: ${cluster.metadata.name ?? ""} }]\n` });
    call = client(server.url);

    // A cluster whose admin kubeconfig (a client certificate and its private key) sits in a Secret, as the operator leaves it.
    const ca = await createCertificateAuthority({ commonName: "tenant-ca" });
    const admin = await issueCertificate(ca, { commonName: "tenant-admin", organizations: ["system:masters"], usage: "client" });
    adminKubeconfig = buildKubeconfig({ clusterName: "one", server: "https://127.0.0.1:1", certificateAuthorityPem: ca.certificatePem, userName: "admin", clientCertificatePem: admin.certificatePem, clientKeyPem: admin.privateKeyPem });
    const keyBody = admin.privateKeyPem.split("\n").filter((l) => l !== "" && !l.startsWith("-----")).join("");
    secrets.push(keyBody, Buffer.from(admin.privateKeyPem).toString("base64"), Buffer.from(adminKubeconfig).toString("base64"));

    expect((await call("POST", "/projects/a/clusters", { token: tokens.alice, body: { metadata: { name: "one" }, spec: {} } })).status).toBe(201);
    const kube = ObjectClient.fromKubeConfig(api().kubeConfig());
    await kube.request("POST", "/api/v1/namespaces/project-a/secrets", {
      body: { apiVersion: "v1", kind: "Secret", metadata: { name: "one-admin-kubeconfig" }, data: { [kubeconfigSecretKey]: Buffer.from(adminKubeconfig).toString("base64") } },
    });
    await kube.request("PATCH", `/apis/${apiVersion}/namespaces/project-a/clusters/one/status`, {
      body: { status: { adminKubeconfigSecretRef: { name: "one-admin-kubeconfig" } } },
      contentType: "application/merge-patch+json",
    });
  }, 60_000);
  afterAll(async () => {
    await server.stop();
  });

  it("keeps out bearer tokens, passwords and the private keys of downloaded kubeconfigs, whatever the answer", async () => {
    // Downloads: the admin kubeconfig (it holds a private key) for its owner, refused to a viewer; the member one.
    const download = await call<{ kubeconfig: string }>("GET", "/projects/a/clusters/one/kubeconfig?admin=true", { token: tokens.alice });
    expect(download.status).toBe(200);
    expect(download.body.kubeconfig).toBe(adminKubeconfig);
    expect((await call("GET", "/projects/a/clusters/one/kubeconfig?admin=true", { token: tokens.bob })).status).toBe(403);
    expect((await call("GET", "/projects/a/clusters/one/kubeconfig", { token: tokens.carol })).status).toBe(200);
    // Requests that succeed, fail validation, are refused by RBAC or by authentication, and methods a path lacks.
    expect((await call<Cluster>("GET", "/projects/a/clusters/one", { token: tokens.bob })).status).toBe(200);
    expect((await call("POST", "/projects/a/clusters", { token: tokens.carol, body: { metadata: { name: "two", annotations: { password: "hunter2-secret" } }, spec: {}, token: "x" } })).status).toBe(400);
    secrets.push("hunter2-secret");
    expect((await call("POST", "/projects/b/clusters", { token: tokens.alice, body: { metadata: { name: "mine" }, spec: {} } })).status).toBe(403);
    expect((await call("GET", "/projects", { token: "not-a-token-5e1f" })).status).toBe(401);
    expect((await call("PUT", "/projects/a/clusters/one", { token: tokens.alice })).status).toBe(405);
    expect((await call("GET", "/projects/a/clusters", { headers: { authorization: `Basic ${Buffer.from("alice:hunter2-secret").toString("base64")}` } })).status).toBe(401);
    secrets.push(Buffer.from("alice:hunter2-secret").toString("base64"));
    // An event stream, opened and closed.
    const stream = await openStream(server.url, "/projects/a/watch", tokens.carol);
    expect(stream.status).toBe(200);
    await stream.next((e) => e.data.name === "one");
    stream.close();

    const text = logs.text();
    // The log is there, and it records these very requests (so a leak would show).
    expect(text).toContain("/projects/a/clusters/one/kubeconfig?admin=true");
    expect(text).toContain("incoming request");
    for (const secret of secrets) expect(text, `a secret of ${secret.length} characters is in the log`).not.toContain(secret);
  });

  it("keeps the authorization code and state the dashboard's /callback receives out of the log", async () => {
    const dist = mkdtempSync(join(tmpdir(), "seedbed-dashboard-dist-"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>Seedbed</title>");
    const dashboardLogs = traceLogger();
    const withDashboard = await startTestServer(api(), { logger: dashboardLogs.logger, dashboard: { distDir: dist, issuerURL: "https://127.0.0.1:7443", clientID: "seedbed" } });
    try {
      const page = await fetch(`${withDashboard.url}/callback?code=auth-code-3f9a1c&state=state-77b2e0&iss=https%3A%2F%2F127.0.0.1%3A7443`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
    } finally {
      await withDashboard.stop();
      rmSync(dist, { recursive: true, force: true });
    }
    const text = dashboardLogs.text();
    expect(text).toContain("/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&iss=");
    for (const secret of ["auth-code-3f9a1c", "state-77b2e0"]) expect(text).not.toContain(secret);
  });
});
