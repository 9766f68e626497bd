import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { createLogger, redactPaths } from "@seedbed/runtime";
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { bearerToken } from "./auth/bearer.ts";
import { HttpError, reasonFor } from "./errors.ts";
import { listenRefusal } from "./listen.ts";
import { ProjectsCache } from "./kube/projects-cache.ts";
import { clusters, etcdBackups, etcdRestores, nodePools } from "./kube/resources.ts";
import { UserClients } from "./kube/user-clients.ts";
import type { App, KubeconfigProvider, RouteContext } from "./routes/context.ts";
import { sharedSchemas } from "./routes/docs.ts";
import { addonRoutes } from "./routes/addons.ts";
import { dashboardRoutes, sendDashboardPage, sendsDashboardPage, type DashboardOptions } from "./routes/dashboard.ts";
import { eventRoutes } from "./routes/events.ts";
import { certificateRoutes } from "./routes/certificates.ts";
import { kubeconfigRoutes } from "./routes/kubeconfig.ts";
import { upgradeRoutes } from "./routes/upgrade.ts";
import { upgradePlanRoutes } from "./routes/upgrade-plans.ts";
import { RouteMethods } from "./routes/methods.ts";
import { metaRoutes } from "./routes/meta.ts";
import { objectRoutes } from "./routes/objects.ts";
import { policyRoutes } from "./routes/policies.ts";
import { projectRoutes } from "./routes/projects.ts";
import { templateRoutes } from "./routes/templates.ts";
import { watchRoutes } from "./routes/watch.ts";
import { ajvOptions } from "./validation/ajv.ts";
import { bodyLimitBytes, requestError, validationError } from "./validation/errors.ts";

/** How to build the server. */
export interface ServerOptions {
  /** The management kube-apiserver, https://host:port. */
  readonly managementServer: string;
  /** The CA (PEM) its serving certificate chains to. */
  readonly managementCA: string;
  /** The server's own identity, used only to watch Projects (membership); never for a caller's request. */
  readonly kubeConfig: KubeConfig;
  /** Redaction of the authorization header is added; a JSON logger to stdout when absent. */
  readonly logger?: Logger;
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Builds the member kubeconfig of a cluster; GET …/kubeconfig answers 501 without one (?admin=true still works). */
  readonly kubeconfigFor?: KubeconfigProvider;
  /** SSE heartbeat interval (default 15 s). */
  readonly heartbeatMs?: number;
  /** How long start-up waits for the first list of Projects (default 30 s). */
  readonly projectsSyncTimeoutMs?: number;
  /** Serve the built dashboard at / and its login settings at /dashboard/config.json. */
  readonly dashboard?: DashboardOptions;
}

/** Where `startServer` listens. */
export interface StartServerOptions extends ServerOptions {
  /** Loopback unless `tls` is given or `insecureHTTP` is set: callers send bearer tokens. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Plain HTTP on an address other than loopback: only where TLS ends in front of the server (an Ingress, a mesh). */
  readonly insecureHTTP?: boolean;
}

/** A running server. */
export interface RunningServer {
  /** http(s)://host:port */
  readonly url: string;
  /** Ends event streams, stops the Projects watch and closes the listener. */
  stop(): Promise<void>;
}

/** How long an idle keep-alive connection stays open (fastify's default). */
const keepAliveTimeoutMs = 72_000;

/**
 * Never logged: the platform's secret fields (a child's redaction replaces
 * its parent's, so they are repeated here) and the request headers that
 * carry credentials, wherever a serializer puts them.
 */
const redact = {
  paths: [...redactPaths, ...["req", "request", "res", "reply"].flatMap((at) => [`${at}.headers.authorization`, `${at}.headers.cookie`, `${at}.headers["set-cookie"]`]), "headers.cookie"],
  censor: "[redacted]",
};

/** Query parameters that carry credentials: the dashboard's /callback gets an authorization code and state. */
const secretQueryParams = ["code", "state", "token", "access_token", "id_token", "refresh_token"];

/** The URL as logged: the values of credential parameters replaced. */
function redactedURL(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  let changed = false;
  for (const name of secretQueryParams) {
    if (query.has(name)) {
      query.set(name, "[redacted]");
      changed = true;
    }
  }
  return changed ? `${url.slice(0, at)}?${query.toString()}` : url;
}

/** What a request's log line says about it: fastify's fields with the URL redacted; anything else logged under `req` as it is (the redact paths apply). */
function requestForLog(value: unknown): unknown {
  if (!(value instanceof Object) || !("raw" in value) || !("url" in value) || typeof value.url !== "string") return value;
  const request = value as FastifyRequest;
  return { method: request.method, url: redactedURL(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket.remotePort };
}

/** Any error as the HTTP error the caller gets. */
function toHttpError(error: FastifyError): HttpError {
  if (error instanceof HttpError) return error;
  if (error.validation) return validationError(error.validation, error.validationContext);
  const known = requestError(error);
  if (known) return known;
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new HttpError(status, reasonFor(status), error.message);
  return new HttpError(500, "InternalError", "internal error; the server's log has the details");
}

/** Answers any error with the error body (`{ error: { status, reason, message, field? } }`) and its status. */
function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const http = toHttpError(error);
  if (http.status >= 500 && !(error instanceof HttpError)) request.log.error({ err: error }, "Request failed");
  if (http.status === 401) void reply.header("www-authenticate", 'Bearer realm="seedbed"');
  void reply.code(http.status).type("application/json").send(http.toBody());
}

/**
 * The fastify instance serving /api/v1 (for `inject` in tests; `startServer`
 * listens with it). Every route under /api/v1 (all but /openapi.json and
 * /healthz) needs `Authorization: Bearer <token>`, checked before any call
 * to Kubernetes; the token then goes with each call, so the management
 * API's RBAC decides what the caller may do.
 */
export function buildServer(options: ServerOptions): App {
  const logger = (options.logger ?? createLogger({ name: "seedbed-server" })).child({ component: "server" }, { redact, serializers: { req: requestForLog } });
  const { tls } = options;
  const app: App = Fastify({
    loggerInstance: logger,
    // Errors of the router (a malformed %-escape in a path) get the same body as every other error.
    frameworkErrors: answerError,
    bodyLimit: bodyLimitBytes,
    ajv: ajvOptions,
    serverFactory: (handler): Server => {
      const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createHttpServer(handler);
      // Fastify's own keep-alive (it sets none on a factory's server): longer
      // than clients keep idle sockets, so a client never reuses a socket the
      // server is closing at that moment (Node's 5 s races with undici's 4 s).
      server.keepAliveTimeout = keepAliveTimeoutMs;
      return server;
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const ctx: RouteContext = {
    users: new UserClients({ server: options.managementServer, ca: options.managementCA }),
    projects: new ProjectsCache(options.kubeConfig, logger),
    kubeconfigFor: options.kubeconfigFor,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    streams: new Set(),
  };

  // Response schemas document the API; responses are sent as they are
  // (fast-json-stringify would drop the fields of free-form objects).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON only: fastify would otherwise take text/plain as a string body.
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser("application/merge-patch+json", { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));
  app.setErrorHandler(answerError);
  const methods = new RouteMethods();
  app.addHook("onRoute", (route) => methods.add(route.method, route.url));
  app.setNotFoundHandler((request, reply) => {
    if (options.dashboard !== undefined && sendsDashboardPage(request, options.dashboard)) {
      sendDashboardPage(reply, options.dashboard);
      return;
    }
    const path = request.url.split("?")[0] ?? "";
    const allowed = methods.allowed(path);
    if (allowed.length > 0) {
      const error = new HttpError(405, "MethodNotAllowed", `${request.method} is not a method of ${path}; it has ${allowed.join(", ")}`);
      void reply.code(405).header("allow", allowed.join(", ")).send(error.toBody());
      return;
    }
    void reply.code(404).send(new HttpError(404, "NotFound", `no route ${request.method} ${path}`).toBody());
  });
  app.addHook("onReady", async () => {
    const synced = await ctx.projects.start(options.projectsSyncTimeoutMs ?? 30_000);
    if (!synced) logger.warn("Projects not listed yet; GET /projects answers 503 until they are");
  });
  app.addHook("preClose", (done) => {
    for (const end of [...ctx.streams]) end();
    done();
  });
  app.addHook("onClose", async () => {
    await ctx.projects.stop();
    await ctx.users.close();
  });

  void app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Seedbed API", version: "v1", description: "Projects, clusters (and their upgrades, rollbacks, CA rotations and add-ons and labels), node pools, etcd backups and restores, ClusterPolicies and how each stands on every cluster, and fleet upgrades (UpgradePlans, platform admins only) of Seedbed. Every call acts as the caller: the bearer token goes on to the management Kubernetes API, whose RBAC decides. A method a path does not have is answered 405 with an Allow header; a path that does not exist, 404. Errors carry the body of the Error schema." },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The caller's token for the management API (an OIDC ID token)." } } },
      security: [{ bearer: [] }],
    },
    // Shared schemas appear under components by their $id (Cluster, NodePool, EtcdBackup, EtcdRestore, UpgradePlan, ClusterPolicy, Project, Error).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
  });
  for (const schema of sharedSchemas()) app.addSchema(schema);
  // At the root, without a token: /openapi.json and /healthz describe the server, not /api/v1.
  // (In a plugin: plugins load in order, so swagger already records the routes.)
  void app.register((root: App, _opts, done) => {
    metaRoutes(root);
    if (options.dashboard !== undefined) dashboardRoutes(root, options.dashboard);
    done();
  });
  void app.register((api: App, _opts, done) => {
    api.addHook("onRequest", (request, _reply, next) => {
      // Routes that declare `security: []` in their schema are public.
      if (request.routeOptions.schema?.security?.length === 0) {
        next();
        return;
      }
      try {
        bearerToken(request.headers.authorization);
        next();
      } catch (error) {
        next(error as HttpError);
      }
    });
    projectRoutes(api, ctx);
    objectRoutes(api, ctx, clusters);
    objectRoutes(api, ctx, nodePools);
    objectRoutes(api, ctx, etcdBackups);
    objectRoutes(api, ctx, etcdRestores);
    eventRoutes(api, ctx);
    kubeconfigRoutes(api, ctx);
    upgradeRoutes(api, ctx);
    certificateRoutes(api, ctx);
    addonRoutes(api, ctx);
    upgradePlanRoutes(api, ctx);
    policyRoutes(api, ctx);
    templateRoutes(api, ctx);
    watchRoutes(api, ctx);
    done();
  }, { prefix: "/api/v1" });
  return app;
}

/**
 * Builds the server and listens on `host`:`port`; refuses plain HTTP
 * off loopback unless `insecureHTTP` says TLS ends in front.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const refusal = listenRefusal({ host: options.host, tls: options.tls !== undefined, insecureHTTP: options.insecureHTTP === true });
  if (refusal !== undefined) throw new Error(refusal);
  const app = buildServer(options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? "https" : "http"}://${host}:${port}`,
    stop: () => app.close(),
  };
}
