import { get } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import { createCertificateAuthority, issueCertificate } from "@seedbed/pki";
import { silentLogger } from "@seedbed/runtime";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "./routes/context.ts";
import { buildServer, startServer } from "./server.ts";

// A management API that cannot be reached: any request that got as far as
// Kubernetes would come back 502, so a 401 or 400 here was answered first.
const unreachable = "https://127.0.0.1:1";

/** The server's own identity, for a management API that cannot be reached. */
function unreachableKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({ clusters: [{ name: "m", server: unreachable }], users: [{ name: "u", token: "server" }], contexts: [{ name: "m", cluster: "m", user: "u" }], currentContext: "m" });
  return kubeConfig;
}

describe("the server before any call to Kubernetes", () => {
  let app: App;
  const auth = { authorization: "Bearer some-token" };

  beforeAll(async () => {
    const kubeConfig = unreachableKubeConfig();
    app = buildServer({ managementServer: unreachable, managementCA: "", kubeConfig, logger: silentLogger(), projectsSyncTimeoutMs: 10 });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it("answers 401 without a bearer token on every API route", async () => {
    for (const url of ["/api/v1/projects", "/api/v1/projects/a", "/api/v1/projects/a/clusters", "/api/v1/projects/a/watch", "/api/v1/projects/a/clusters/one/kubeconfig"]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(401);
    }
    const post = await app.inject({ method: "POST", url: "/api/v1/projects/a/clusters", payload: { bad: true } });
    expect(post.statusCode).toBe(401); // authentication comes before validation
  });

  it("validates a body before calling Kubernetes", async () => {
    const res = await app.inject({ method: "POST", url: "/api/v1/projects/a/nodepools", headers: auth, payload: { metadata: { name: "p" }, spec: { clusterName: "one", replicas: 1001 } } });
    expect(res.json()).toEqual({ error: { status: 400, reason: "BadRequest", message: "body/spec/replicas must be <= 1000", field: "spec.replicas" } });
    const name = await app.inject({ method: "POST", url: "/api/v1/projects/a/nodepools", headers: auth, payload: { metadata: { name: "Pool_1" }, spec: { clusterName: "one" } } });
    expect(name.json()).toMatchObject({ error: { status: 400, field: "metadata.name" } });
    const media = await app.inject({ method: "POST", url: "/api/v1/projects/a/clusters", headers: { ...auth, "content-type": "text/plain" }, payload: "hello" });
    expect(media.statusCode).toBe(415);
    const empty = await app.inject({ method: "PATCH", url: "/api/v1/projects/a/clusters/one", headers: auth, payload: {} });
    expect(empty.json()).toMatchObject({ error: { status: 400, message: "body must NOT have fewer than 1 properties" } });
  });

  it("refuses a namespace other than the project's", async () => {
    const res = await app.inject({ method: "POST", url: "/api/v1/projects/a/clusters", headers: auth, payload: { metadata: { name: "one", namespace: "kube-system" }, spec: {} } });
    expect(res.json()).toMatchObject({ error: { status: 400, field: "metadata.namespace" } });
  });

  it("answers 502 when the management API cannot be reached", async () => {
    const res = await app.inject({ url: "/api/v1/projects/a/clusters", headers: auth });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: { reason: "BadGateway" } });
  });

  it("answers 502 for the project list when the management API cannot be reached, though the Projects are not loaded either", async () => {
    // Who the caller is comes first, from the API: unreachable, that is the
    // answer. The 503 of a cache not yet synced, with the API reachable, is
    // in test/projects-sync.int.test.ts.
    const res = await app.inject({ url: "/api/v1/projects", headers: auth });
    expect(res.json()).toEqual({ error: { status: 502, reason: "BadGateway", message: expect.stringMatching(/^the management API could not be reached/) as unknown } });
    expect(res.statusCode).toBe(502);
    const one = await app.inject({ url: "/api/v1/projects/a", headers: auth });
    expect([one.statusCode, one.json<{ error: { reason: string } }>().error.reason]).toEqual([502, "BadGateway"]);
  });

  it("redacts the authorization header, cookies and secret fields wherever a log line carries them", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const logged = buildServer({ managementServer: unreachable, managementCA: "", kubeConfig: unreachableKubeConfig(), logger });
    logged.log.info({ req: { headers: { authorization: "Bearer secret-1", cookie: "session=secret-3" } }, headers: { authorization: "Bearer secret-2" } }, "Headers");
    // The platform's secret fields too: the server's own redaction must not replace them.
    logged.log.info({ token: "secret-4", secret: { data: { kubeconfig: "secret-5" } }, kubeconfig: { "client-key-data": "secret-6" } }, "Fields");
    await logged.close();
    expect(lines.join("")).toContain("[redacted]");
    expect(lines.join("")).not.toMatch(/secret-/);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await app.inject({ url: "/api/v1/nope", headers: auth });
    expect(res.json()).toEqual({ error: { status: 404, reason: "NotFound", message: "no route GET /api/v1/nope" } });
  });

  it("answers a method a known path does not have with 405 and Allow", async () => {
    const put = await app.inject({ method: "PUT", url: "/api/v1/projects/a/clusters?x=1", headers: auth });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe("GET, HEAD, POST");
    expect(put.json()).toEqual({ error: { status: 405, reason: "MethodNotAllowed", message: "PUT is not a method of /api/v1/projects/a/clusters; it has GET, HEAD, POST" } });
    const options = await app.inject({ method: "OPTIONS", url: "/healthz" });
    expect([options.statusCode, options.headers.allow]).toEqual([405, "GET, HEAD"]);
  });

  it("answers a malformed %-escape in a path with the error body", async () => {
    const res = await app.inject({ url: "/api/v1/projects/%zz", headers: auth });
    expect(res.json()).toEqual({ error: { status: 400, reason: "BadRequest", message: "the URL is malformed: a path segment has an invalid %-escape" } });
  });
});

describe("startServer off loopback", () => {
  it("refuses plain HTTP on 0.0.0.0, naming the fixes, and allows it with insecureHTTP", async () => {
    const options = { host: "0.0.0.0", port: 0, managementServer: unreachable, managementCA: "", kubeConfig: unreachableKubeConfig(), logger: silentLogger(), projectsSyncTimeoutMs: 10 };
    await expect(startServer(options)).rejects.toThrow(/refusing to serve plain HTTP on 0\.0\.0\.0: callers' bearer tokens would cross the network in clear; pass tls/);
    const server = await startServer({ ...options, insecureHTTP: true });
    try {
      expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    } finally {
      await server.stop();
    }
  });
});

describe("startServer with TLS", () => {
  it("serves HTTPS with the given certificate and stops", async () => {
    const ca = await createCertificateAuthority({ commonName: "test-ca" });
    const leaf = await issueCertificate(ca, { commonName: "seedbed-server", altNames: ["127.0.0.1"], usage: "server" });
    const kubeConfig = unreachableKubeConfig();
    const server = await startServer({
      host: "127.0.0.1",
      port: 0,
      managementServer: unreachable,
      managementCA: "",
      kubeConfig,
      logger: silentLogger(),
      projectsSyncTimeoutMs: 10,
      tls: { cert: leaf.certificatePem, key: leaf.privateKeyPem },
    });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        get(`${server.url}/healthz`, { ca: ca.certificatePem }, (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => resolve(text));
        }).on("error", reject);
      });
      expect(JSON.parse(body)).toEqual({ status: "ok" });
    } finally {
      await server.stop();
    }
  });
});
