import type { CoreV1Event } from "@kubernetes/client-node";
import { group, type NodePool } from "@seedbed/api";
import Type from "typebox";
import { fromKubeError } from "../kube/errors.ts";
import { trimmed, type ObjectList } from "../kube/objects.ts";
import { clusters, events, nodePools, projectCollection, projectObject } from "../kube/resources.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { AnyObject, errors } from "./docs.ts";
import { objectName, objectParams } from "./objects.ts";

/** When an event last happened, for sorting (newest last, as kubectl shows them). */
function lastSeen(event: CoreV1Event): string {
  const raw = event as unknown as { lastTimestamp?: string; eventTime?: string; series?: { lastObservedTime?: string }; metadata?: { creationTimestamp?: string } };
  return raw.series?.lastObservedTime ?? raw.lastTimestamp ?? raw.eventTime ?? raw.metadata?.creationTimestamp ?? "";
}

/**
 * GET /projects/:project/clusters/:cluster/events: the Events of the
 * project's namespace about the cluster or one of its node pools, oldest
 * first. The cluster is read first with the caller's token, so a caller
 * who may not see it gets that 403/404 rather than an empty list.
 */
export function eventRoutes(app: App, ctx: RouteContext): void {
  app.get("/projects/:project/clusters/:cluster/events", {
    schema: {
      tags: ["clusters"],
      summary: "Events about a cluster and its node pools",
      params: objectParams(clusters),
      response: { 200: Type.Object({ items: Type.Array(AnyObject) }, { description: "core/v1 Events, oldest first." }), ...errors(400, 404) },
    },
  }, async (request) => {
    const { project } = request.params;
    const cluster = objectName(request.params, clusters);
    const client = clientFor(ctx, request);
    try {
      await client.request("GET", projectObject(clusters, project, cluster));
      const [pools, found] = await Promise.all([
        client.request<ObjectList<NodePool>>("GET", projectCollection(nodePools, project)),
        client.request<ObjectList<CoreV1Event>>("GET", projectCollection(events, project)),
      ]);
      const poolNames = new Set(pools.items.filter((p) => p.spec.clusterName === cluster).map((p) => p.metadata.name));
      const about = (e: CoreV1Event): boolean => {
        const involved = e.involvedObject;
        if (involved.apiVersion !== undefined && !involved.apiVersion.startsWith(`${group}/`)) return false;
        return (involved.kind === "Cluster" && involved.name === cluster) || (involved.kind === "NodePool" && poolNames.has(involved.name));
      };
      const items = found.items.filter(about).sort((a, b) => lastSeen(a).localeCompare(lastSeen(b)));
      return { items: items.map((e) => trimmed(e, events)) };
    } catch (error) {
      throw fromKubeError(error);
    }
  });
}
