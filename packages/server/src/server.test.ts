import { KubeConfig } from "@kubernetes/client-node";
import { silentLogger } from "@seedbed/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "./routes/context.ts";
import { buildServer } from "./server.ts";

// A management API that cannot be reached: any request that got as far as
// Kubernetes would come back 502, so a 401 or 400 here was answered first.
const unreachable = "https://127.0.0.1:1";

describe("the server before any call to Kubernetes", () => {
  let app: App;
  const auth = { authorization: "Bearer some-token" };

  beforeAll(async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({ clusters: [{ name: "m", server: unreachable }], users: [{ name: "u", token: "server" }], contexts: [{ name: "m", cluster: "m", user: "u" }], currentContext: "m" });
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

  it("answers 503 for the project list until the Projects are loaded", async () => {
    // whoAmI fails first against an unreachable API; the cache's 503 shows once the caller is known.
    expect([502, 503]).toContain((await app.inject({ url: "/api/v1/projects", headers: auth })).statusCode);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await app.inject({ url: "/api/v1/nope", headers: auth });
    expect(res.json()).toEqual({ error: { status: 404, reason: "NotFound", message: "no route GET /api/v1/nope" } });
  });
});
