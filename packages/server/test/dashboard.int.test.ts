import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync } from "node:zlib";
import { apiVersion, group } from "@seedbed/api";
import { offeredKubernetesVersions } from "@seedbed/binaries";
import { apply, ObjectClient } from "@seedbed/runtime";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.ts";
import { bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client, type Call } from "./http.ts";

// The dashboard served by the REST API: its files, its routes as pages,
// its login settings, and what the wizard reads. The build is a stand-in
// written here (the real one is vite's; the browser tests use that).
describe("the REST API serving the dashboard", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  const dist = mkdtempSync(join(tmpdir(), "seedbed-dashboard-dist-"));
  const issuerURL = "https://127.0.0.1:7443";
  let server: RunningServer;
  let call: Call;
  const get = (path: string, accept = "text/html"): Promise<Response> => fetch(`${server.url}${path}`, { headers: { accept } });

  beforeAll(async () => {
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>Seedbed</title><script type=module src=/assets/app-1a2b.js></script>");
    writeFileSync(join(dist, "assets", "app-1a2b.js"), "console.log('seedbed')");
    // As the dashboard's build leaves it: a brotli copy beside the file.
    writeFileSync(join(dist, "assets", "app-1a2b.js.br"), brotliCompressSync("console.log('seedbed')"));
    await bootstrap(api());
    await apply(ObjectClient.fromKubeConfig(api().kubeConfig()), { apiVersion, kind: "ClusterTemplate", metadata: { name: "small", namespace: "project-a" }, spec: {} } as never);
    server = await startTestServer(api(), { dashboard: { distDir: dist, issuerURL, clientID: "seedbed" } });
    call = client(server.url);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it("serves index.html at / with a policy that allows only its own scripts and the issuer", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Seedbed</title>");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${issuerURL}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers the page's own routes with index.html, and keeps JSON errors for the API and for non-HTML requests", async () => {
    for (const path of ["/clusters", "/projects/a/clusters/a1", "/callback?code=x&state=y"]) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type"), path).toMatch(/^text\/html/);
    }
    const api404 = await get("/api/v1/nope");
    expect(api404.status).toBe(404);
    expect(((await api404.json()) as { error: { reason: string } }).error.reason).toBe("NotFound");
    expect((await get("/clusters", "application/json")).status).toBe(404);
    expect((await get("/assets/missing.js")).status).toBe(404);
    const post = await fetch(`${server.url}/clusters`, { method: "POST", headers: { accept: "text/html" } });
    expect(post.status).toBe(404);
  });

  it("serves hashed assets cached for good, brotli-compressed from the build's copy when the browser accepts it", async () => {
    const asset = await get("/assets/app-1a2b.js", "*/*");
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe("console.log('seedbed')");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-encoding")).toBeNull();
    const compressed = await fetch(`${server.url}/assets/app-1a2b.js`, { headers: { accept: "*/*", "accept-encoding": "br, gzip" } });
    expect(compressed.headers.get("content-encoding")).toBe("br");
    expect(await compressed.text()).toBe("console.log('seedbed')");
    expect(compressed.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("tells the page, without a token, which issuer and client to log in with and the versions offered", async () => {
    const config = await get("/dashboard/config.json", "application/json");
    expect(config.status).toBe(200);
    expect(await config.json()).toEqual({ issuerURL, clientID: "seedbed", scopes: "openid email profile groups offline_access", versions: [...offeredKubernetesVersions()] });
  });

  it("lists a project's ClusterTemplates to its members, and to nobody else", async () => {
    const mine = await call<{ items: { metadata: { name: string } }[] }>("GET", "/projects/a/clustertemplates", { token: tokens.alice });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((t) => t.metadata.name)).toEqual(["small"]);
    const other = await call("GET", "/projects/b/clustertemplates", { token: tokens.alice });
    expect(other.status).toBe(403);
  });

  it("says each project's role for the page's buttons: a member's own, admin for a platform admin who is no member, and documents it", async () => {
    const roles = async (token: string): Promise<Record<string, string>> =>
      Object.fromEntries((await call<{ items: { metadata: { name: string }; role: string }[] }>("GET", "/projects", { token })).body.items.map((p): [string, string] => [p.metadata.name, p.role]));
    expect(await roles(tokens.bob)).toEqual({ a: "viewer" });
    // bob may now read every Project (what a platform admin may), still a viewer of a and no member of b.
    const admin = ObjectClient.fromKubeConfig(api().kubeConfig());
    await apply(admin, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "project-reader" }, rules: [{ apiGroups: [group], resources: ["projects"], verbs: ["get", "list"] }] } as never);
    await apply(admin, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "project-reader-bob" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "project-reader" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "bob" }] } as never);
    await expect.poll(() => roles(tokens.bob), { timeout: 10_000 }).toEqual({ a: "viewer", b: "admin" });
    expect((await call<{ role: string }>("GET", "/projects/b", { token: tokens.bob })).body.role).toBe("admin");
    expect((await call<{ role: string }>("GET", "/projects/a", { token: tokens.bob })).body.role).toBe("viewer");

    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    for (const path of ["/api/v1/projects", "/api/v1/projects/{project}"]) {
      expect(JSON.stringify(doc.paths[path]?.get?.responses["200"]), path).toContain('"enum":["owner","editor","viewer","admin"]');
    }
  });

  it("serves no dashboard when the server is not given one", async () => {
    const plain = await startTestServer(api());
    try {
      const root = await fetch(`${plain.url}/`, { headers: { accept: "text/html" } });
      expect(root.status).toBe(404);
      expect((await fetch(`${plain.url}/dashboard/config.json`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
