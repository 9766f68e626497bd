import { kubeconfigSecretKey, recordKubeconfig, requestLedgerClient, withCertificateAuthority, type Cluster, type KubeconfigKind } from "@seedbed/api";
import { describeError, type ObjectClient } from "@seedbed/runtime";
import type { FastifyBaseLogger } from "fastify";
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
 * Records a hand-out in the ledger. A failure (a role without the ledger
 * right, the API busy) is logged and the kubeconfig still handed out: the
 * ledger informs a CA rotation, it must not stand between a member and
 * their cluster.
 */
async function record(client: ObjectClient, log: FastifyBaseLogger, handout: { cluster: Cluster; holder: string; kind: KubeconfigKind; kubeconfig: string }): Promise<void> {
  try {
    await recordKubeconfig(requestLedgerClient(client), { ...handout, via: "api", now: new Date() });
  } catch (error) {
    log.warn({ cluster: handout.cluster.metadata.name, kind: handout.kind, error: describeError(error) }, "Kubeconfig handed out but not recorded in the ledger");
  }
}

/**
 * GET /projects/:project/clusters/:cluster/kubeconfig: `{ kubeconfig }`
 * (YAML). By default from the configured provider (a kubeconfig that logs
 * in as the member); with ?admin=true the certificate-based admin
 * kubeconfig from the Secret the cluster's status names. Either way the
 * cluster is read first with the caller's token, so non-members get
 * 403/404 before anything is built. Its certificate-authority-data is the
 * cluster's current CA bundle (status.certificateAuthority), and the
 * hand-out is recorded in the cluster's kubeconfig ledger, with the
 * caller's token (project roles may write it).
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
      const kind: KubeconfigKind = request.query.admin === "true" ? "admin" : "token";
      if (kind === "token" && !ctx.kubeconfigFor) throw new HttpError(501, "NotImplemented", "this server has no member kubeconfig provider configured; owners can ask for ?admin=true");
      const caller = await whoAmI(client);
      const built = kind === "admin" ? await adminKubeconfig(client, project, cluster) : await ctx.kubeconfigFor?.(cluster, caller);
      if (built === undefined) throw new HttpError(409, "NotReady", `cluster ${cluster.metadata.name ?? ""} has no endpoint yet: wait until it is provisioned`);
      const bundle = cluster.status?.certificateAuthority;
      const kubeconfig = bundle === undefined ? built : withCertificateAuthority(built, bundle);
      await record(client, request.log, { cluster, holder: caller.username, kind, kubeconfig });
      return { kubeconfig };
    } catch (error) {
      throw fromKubeError(error);
    }
  });
}
