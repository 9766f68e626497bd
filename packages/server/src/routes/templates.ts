import Type from "typebox";
import { kubeCall } from "../kube/errors.ts";
import { trimmedList, type ObjectList } from "../kube/objects.ts";
import { clusterTemplates, projectCollection } from "../kube/resources.ts";
import { projectParam } from "../validation/schemas.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { AnyObject, errors } from "./docs.ts";

/**
 * GET /projects/:project/clustertemplates: the templates a new cluster of
 * the project may name in spec.template (the dashboard's wizard offers
 * them). Read-only here: templates are the platform's and project
 * owners' business, written with kubectl.
 */
export function templateRoutes(app: App, ctx: RouteContext): void {
  app.get("/projects/:project/clustertemplates", {
    schema: {
      tags: ["clusters"],
      summary: "List the project's ClusterTemplates",
      params: Type.Object({ project: projectParam }),
      response: { 200: Type.Object({ items: Type.Array(AnyObject) }, { description: "ClusterTemplate objects." }), ...errors(400, 404) },
    },
  }, async (request) => {
    const list = await kubeCall(() => clientFor(ctx, request).request<ObjectList>("GET", projectCollection(clusterTemplates, request.params.project)));
    return trimmedList(list, clusterTemplates);
  });
}
