import type { ServerResponse } from "node:http";
import Type from "typebox";
import { HttpError } from "../errors.ts";
import { fromKubeError } from "../kube/errors.ts";
import { trimmed } from "../kube/objects.ts";
import { ProjectWatch, summarize, type WatchEvent } from "../kube/project-watch.ts";
import { projectParam } from "../validation/schemas.ts";
import { tokenOf, type App, type RouteContext } from "./context.ts";
import { errors } from "./docs.ts";

/** One server-sent event: `event: ADDED|MODIFIED|DELETED`, data the summary and the object. */
export function formatEvent(event: WatchEvent): string {
  const data = { ...summarize(event.object), object: trimmed(event.object) };
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function write(raw: ServerResponse, chunk: string): void {
  if (!raw.writableEnded && !raw.destroyed) raw.write(chunk);
}

/**
 * GET /projects/:project/watch: server-sent events of the project's
 * Clusters and NodePools, from watches opened with the caller's token.
 * A refusal (403, 401) comes back as that HTTP status before the stream
 * starts; then existing objects as ADDED, changes as MODIFIED and
 * DELETED, and a comment every `heartbeatMs` so proxies keep the
 * connection. The upstream watches close when the client goes away.
 * Every fourth heartbeat the caller's access is checked again: the
 * informer would quietly retry a watch the caller may no longer open, so
 * a member removed from the project gets `event: ERROR` (data: the error
 * body) and the end of the stream instead.
 */
export function watchRoutes(app: App, ctx: RouteContext): void {
  app.get("/projects/:project/watch", {
    schema: {
      tags: ["projects"],
      summary: "Changes of the project's clusters and node pools (server-sent events)",
      description: "text/event-stream: `event: ADDED|MODIFIED|DELETED` with data {kind, name, phase, conditions, …, object}; a `: heartbeat` comment every 15 s; `event: ERROR` with an error body, then the end, when the caller loses access.",
      params: Type.Object({ project: projectParam }),
      response: { 200: { description: "An event stream.", content: { "text/event-stream": { schema: Type.String() } } }, ...errors(400, 404) },
    },
  }, async (request, reply) => {
    const token = tokenOf(request);
    const { project } = request.params;
    const watch = new ProjectWatch({ kubeConfig: ctx.users.kubeConfig(token), client: ctx.users.client(token), project, logger: request.log });
    try {
      await watch.check();
    } catch (error) {
      throw fromKubeError(error);
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" });
    write(raw, ": watching\n\n");
    let beats = 0;
    const heartbeat = setInterval(() => {
      write(raw, ": heartbeat\n\n");
      if (++beats % 4 === 0) recheck();
    }, ctx.heartbeatMs);
    const recheck = (): void => {
      watch.check().catch((error: unknown) => {
        const refused = fromKubeError(error);
        // Only a refusal ends the stream; a passing failure of the apiserver does not.
        if (!(refused instanceof HttpError) || refused.status >= 500 || refused.status === 429) return;
        write(raw, `event: ERROR\ndata: ${JSON.stringify(refused.toBody())}\n\n`);
        end();
      });
    };
    const end = (): void => {
      if (!ctx.streams.delete(end)) return;
      clearInterval(heartbeat);
      watch.stop().catch((error: unknown) => request.log.warn({ error: String(error) }, "Stopping a project watch failed"));
      if (!raw.writableEnded) raw.end();
      request.log.debug({ project }, "Event stream closed");
    };
    ctx.streams.add(end);
    raw.on("close", end);
    watch.run((event) => write(raw, formatEvent(event)));
    return reply;
  });
}
