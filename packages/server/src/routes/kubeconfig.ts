import { kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import type { ObjectClient } from "@seedbed/runtime";
import Type from "typebox";
import { whoAmI } from "../auth/caller.ts";
import { HttpError } from "../errors.ts";
import { fromKubeError } from "../kube/errors.ts";
import { clusters, projectObject, secrets } from "../kube/resources.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { errors } from "./docs.ts";
import { objectName, objectParams } from "./objects.ts";

/** The admin kubeconfig of a cluster, read with the caller's token (only owners may read Secrets). */
async function adminKubeconfig(client: ObjectClient, project: string, cluster: Cluster): Promise<string> {
  const ref = cluster.status?.adminKubeconfigSecretRef?.name;
  const name = cluster.metadata.name ?? "";
  if (ref === undefined) throw new HttpError(409, "NotReady", `cluster ${name} has no admin kubeconfig yet: wait until it is provisioned`);
  const secret = await client.request<{ data?: Record<string, string> }>("GET", projectObject(secrets, project, ref));
  const encoded = secret.data?.[kubeconfigSecretKey];
  if (encoded === undefined) throw new HttpError(409, "NotReady", `Secret ${ref} of cluster ${name} has no ${kubeconfigSecretKey} key yet`);
  return Buffer.from(encoded, "base64").toString("utf8");
}

/**
 * GET /projects/:project/clusters/:cluster/kubeconfig: `{ kubeconfig }`
 * (YAML). By default from the configured provider (a kubeconfig that logs
 * in as the member); with ?admin=true the certificate-based admin
 * kubeconfig from the Secret the cluster's status names. Either way the
 * cluster is read first with the caller's token, so non-members get
 * 403/404 before anything is built.
 */
export function kubeconfigRoutes(app: App, ctx: RouteContext): void {
  app.get("/projects/:project/clusters/:cluster/kubeconfig", {
    schema: {
      tags: ["clusters"],
      summary: "A kubeconfig for a cluster",
      params: objectParams(clusters),
      querystring: Type.Object({
        admin: Type.Optional(Type.Unsafe<"true" | "false">({ type: "string", enum: ["true", "false"], description: "true: the admin kubeconfig (owners only)." })),
      }),
      response: { 200: Type.Object({ kubeconfig: Type.String({ description: "A kubeconfig file (YAML)." }) }), ...errors(400, 404, 409, 501) },
    },
  }, async (request) => {
    const { project } = request.params;
    const client = clientFor(ctx, request);
    try {
      const cluster = await client.request<Cluster>("GET", projectObject(clusters, project, objectName(request.params, clusters)));
      if (request.query.admin === "true") return { kubeconfig: await adminKubeconfig(client, project, cluster) };
      if (!ctx.kubeconfigFor) throw new HttpError(501, "NotImplemented", "this server has no member kubeconfig provider configured; owners can ask for ?admin=true");
      const kubeconfig = await ctx.kubeconfigFor(cluster, await whoAmI(client));
      if (kubeconfig === undefined) throw new HttpError(409, "NotReady", `cluster ${cluster.metadata.name ?? ""} has no endpoint yet: wait until it is provisioned`);
      return { kubeconfig };
    } catch (error) {
      throw fromKubeError(error);
    }
  });
}
