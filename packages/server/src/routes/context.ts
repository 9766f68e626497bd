import type { Cluster } from "@seedbed/api";
import type { ObjectClient } from "@seedbed/runtime";
import type { FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Logger } from "pino";
import { bearerToken } from "../auth/bearer.ts";
import type { Caller } from "../auth/caller.ts";
import type { ProjectsCache } from "../kube/projects-cache.ts";
import type { UserClients } from "../kube/user-clients.ts";

/** The fastify instance of the server, typed by TypeBox schemas. */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger, TypeBoxTypeProvider>;

/**
 * Builds the kubeconfig a member downloads for a cluster (the exec-plugin
 * kubeconfig that logs in with the member's own identity). Called only
 * after the caller could read the cluster with their own token; undefined
 * while the cluster has no endpoint yet (answered 409).
 */
export type KubeconfigProvider = (cluster: Cluster, caller: Caller) => string | undefined | Promise<string | undefined>;

/** What the routes share. */
export interface RouteContext {
  readonly users: UserClients;
  readonly projects: ProjectsCache;
  readonly kubeconfigFor: KubeconfigProvider | undefined;
  /** Interval of SSE heartbeat comments. */
  readonly heartbeatMs: number;
  /** Ends every open event stream; called as the server closes. */
  readonly streams: Set<() => void>;
}

/** The caller's bearer token (present: the API's onRequest hook answered 401 otherwise). */
export function tokenOf(request: FastifyRequest): string {
  return bearerToken(request.headers.authorization);
}

/** A client of the management API acting as the caller. */
export function clientFor(ctx: RouteContext, request: FastifyRequest): ObjectClient {
  return ctx.users.client(tokenOf(request));
}
