import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import { offeredKubernetesVersions } from "@seedbed/binaries";
import type { FastifyReply, FastifyRequest } from "fastify";
import Type from "typebox";
import type { App } from "./context.ts";

/** What the browser needs to log in and fill the wizard; served without a token. */
export interface DashboardOptions {
  /** The built dashboard (index.html and assets/). */
  readonly distDir: string;
  /** The OIDC issuer the dashboard logs in with (authorization code + PKCE). */
  readonly issuerURL: string;
  /** Its public client. */
  readonly clientID: string;
}

/** The scopes the dashboard asks for: the same as the CLI's, so its ID token carries e-mail and groups and a refresh token comes with it. */
export const dashboardScopes = "openid email profile groups offline_access";

/**
 * The page's own rules: scripts and styles only from this origin, API
 * calls to this origin and the issuer (discovery, token, revocation), no
 * framing (clickjacking), no plugins.
 */
export function contentSecurityPolicy(issuerURL: string): string {
  const issuer = new URL(issuerURL).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${issuer}`,
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${issuer}`,
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Serves the dashboard at `/` from its built files (only files present at
 * start: build before serving) and GET /dashboard/config.json. Hashed
 * assets are cached for good; index.html is revalidated on every load, so
 * a new build reaches users at once.
 */
export function dashboardRoutes(app: App, options: DashboardOptions): void {
  const csp = contentSecurityPolicy(options.issuerURL);
  void app.register(fastifyStatic, {
    root: options.distDir,
    wildcard: false,
    index: ["index.html"],
    // The build writes .br and .gz beside each file (packages/dashboard/build/precompress.ts).
    preCompressed: true,
    setHeaders: (reply, path) => {
      reply.header("x-content-type-options", "nosniff");
      if (path.endsWith(".html")) {
        reply.header("cache-control", "no-cache");
        reply.header("content-security-policy", csp);
        reply.header("referrer-policy", "no-referrer");
      } else if (path.includes("/assets/")) {
        reply.header("cache-control", "public, max-age=31536000, immutable");
      }
    },
  });
  app.get("/dashboard/config.json", {
    schema: {
      tags: ["meta"],
      summary: "How the dashboard logs in, and the Kubernetes versions offered",
      security: [],
      response: {
        200: Type.Object({
          issuerURL: Type.String(),
          clientID: Type.String(),
          scopes: Type.String(),
          versions: Type.Array(Type.String(), { description: "Newest first; the first is the default." }),
        }),
      },
    },
  }, (_request, reply) => {
    void reply.header("cache-control", "no-cache");
    return { issuerURL: options.issuerURL, clientID: options.clientID, scopes: dashboardScopes, versions: [...offeredKubernetesVersions()] };
  });
}

/**
 * The dashboard's own paths (/clusters, /projects/a/clusters/a1,
 * /callback) are routes of the page, not files: a browser asking for a
 * page there gets index.html. API paths and requests for anything but
 * HTML keep their JSON 404.
 */
export function sendsDashboardPage(request: FastifyRequest, options: DashboardOptions | undefined): boolean {
  if (options === undefined || (request.method !== "GET" && request.method !== "HEAD")) return false;
  const path = request.url.split("?")[0] ?? "";
  if (path.startsWith("/api/") || path === "/api" || path.startsWith("/assets/")) return false;
  return (request.headers.accept ?? "").includes("text/html") && existsSync(join(options.distDir, "index.html"));
}

/** Answers with index.html and the page's headers. */
export function sendDashboardPage(reply: FastifyReply, options: DashboardOptions): void {
  void reply
    .header("cache-control", "no-cache")
    .header("content-security-policy", contentSecurityPolicy(options.issuerURL))
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .type("text/html; charset=utf-8")
    // Read at each request (a few hundred bytes): the not-found handler lives
    // outside the plugin that decorates reply.sendFile, and a rebuilt
    // dashboard is served without a restart.
    .send(readFileSync(join(options.distDir, "index.html")));
}
