import { ApiException } from "@kubernetes/client-node";
import { Addon, addonRemoval, addonsPatch, AddonStatus, upsertAddon, type Cluster, type ClusterTemplate } from "@seedbed/api";
import type { ObjectClient } from "@seedbed/runtime";
import Type from "typebox";
import { HttpError } from "../errors.ts";
import { retryOnConflict } from "../kube/conflicts.ts";
import { kubeCall } from "../kube/errors.ts";
import { clusters, clusterTemplates, projectObject } from "../kube/resources.ts";
import { addonBodySchema, nameParam, projectParam } from "../validation/schemas.ts";
import { addonViewOf, addonViewPhases, addonViews } from "./addon-view.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { bodyErrors, errors } from "./docs.ts";

/** Who wrote spec.addons, in managedFields (as the other routes). */
const fieldManager = "seedbed-server";

/** An add-on's name, as spec.addons[].name takes it. */
const addonParam = nameParam(63, "The add-on's name: spec.addons[].name (a built-in add-on's, or a Helm add-on's release name).");

/** The path parameters of one add-on. */
const AddonParams = Type.Object({ project: projectParam, cluster: nameParam(clusters.definition.name.maxLength, "The Cluster's name."), addon: addonParam });

/** One add-on as the routes answer it (see AddonView in addon-view.ts). */
const AddonViewSchema = Type.Object({
  name: Type.String(),
  source: Type.String({ enum: ["BuiltIn", "Helm"], description: "BuiltIn: objects Seedbed renders; Helm: a chart's release." }),
  phase: Type.String({
    enum: [...addonViewPhases],
    description: "The add-on controller's phase (status.addons[].phase) once it has acted; before that Pending (asked for, not installed yet) or Disabled (enabled: false, not installed); Removed: neither asked for in spec.addons nor installed.",
  }),
  ready: Type.Boolean({ description: "Installed at its version with its workloads available." }),
  spec: Type.Optional(Addon),
  status: Type.Optional(AddonStatus),
}, { description: "An add-on: what the cluster's spec asks for, beside what is installed. spec: the cluster's own entry in spec.addons, absent for add-ons only the platform's defaults (CoreDNS), the template or spec.network.cni ask for; status: the add-on controller's entry in status.addons, absent until it has acted." });

/** The spec.addons a cluster should have instead of its own. */
type AddonsEdit = (cluster: Cluster) => Promise<readonly Addon[]>;

/**
 * Reads the cluster, edits its spec.addons and patches them back with the
 * resourceVersion read; on a 409 (the cluster changed meanwhile) reads and
 * edits again, so a concurrent edit of another add-on or field is never lost. Both calls go with the caller's token.
 */
async function updateAddons(client: ObjectClient, path: string, edit: AddonsEdit): Promise<{ before: Cluster; after: Cluster }> {
  return retryOnConflict(async () => {
    const before = await client.request<Cluster>("GET", path);
    const addons = await edit(before);
    const after = await client.request<Cluster>("PATCH", path, { body: addonsPatch(before, addons), contentType: "application/merge-patch+json", query: { fieldManager, fieldValidation: "Strict" } });
    return { before, after };
  });
}

/** The cluster's template as the caller reads it; undefined when it names none, or one that does not exist. */
async function templateOf(client: ObjectClient, project: string, cluster: Cluster): Promise<ClusterTemplate | undefined> {
  const name = cluster.spec.template;
  if (name === undefined) return undefined;
  try {
    return await client.request<ClusterTemplate>("GET", projectObject(clusterTemplates, project, name));
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}

/**
 * GET /projects/:project/clusters/:cluster/addons, and PUT and DELETE
 * …/addons/:addon: a cluster's add-ons (spec.addons merged with
 * status.addons), one set or taken away. Every read and patch of the
 * Cluster goes with the caller's token: viewers read, editors and owners
 * change (RBAC's 403 otherwise); the apiserver's CEL rules answer 422
 * naming the field (spec.addons[i].name, …helm.repository).
 */
export function addonRoutes(app: App, ctx: RouteContext): void {
  const collection = `/projects/:project/clusters/:${clusters.param}/addons`;
  const one = `${collection}/:addon`;
  const tags = [clusters.path];
  const call = kubeCall;

  app.get(collection, {
    schema: {
      tags,
      summary: "List a cluster's add-ons",
      description: "Each entry of the cluster's spec.addons beside its entry in status.addons, and the add-ons installed without an entry of the cluster's own (the platform's CoreDNS, the template's, the CNI of spec.network.cni), by name.",
      params: Type.Object({ project: projectParam, cluster: AddonParams.properties.cluster }),
      response: { 200: Type.Object({ items: Type.Array(AddonViewSchema) }), ...errors(400, 404) },
    },
  }, async (request) => {
    const cluster = await call(() => clientFor(ctx, request).request<Cluster>("GET", projectObject(clusters, request.params.project, request.params.cluster)));
    return { items: addonViews(cluster) };
  });

  app.put(one, {
    schema: {
      tags,
      summary: "Add, change or enable an add-on",
      description: "Sets the entry of this name in spec.addons to the body (added if there is none; a Helm add-on's changed chart or values upgrade its release). `{}` enables a built-in add-on (coredns, metrics-server, dashboard); anything else needs `helm`. 201 when the entry is new, 200 when it replaced one. An unknown built-in name without a chart, a name longer than 53 characters with one, or a repository that is not a URL are the apiserver's 422, naming the field.",
      params: AddonParams,
      body: addonBodySchema(),
      response: { 200: AddonViewSchema, 201: AddonViewSchema, ...errors(400, 404, 409, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const { project, cluster: name, addon } = request.params;
    const entry = { name: addon, ...request.body } as Addon;
    const { before, after } = await call(() => updateAddons(clientFor(ctx, request), projectObject(clusters, project, name), (cluster) => Promise.resolve(upsertAddon(cluster.spec.addons ?? [], entry))));
    const created = !(before.spec.addons ?? []).some((a) => a.name === addon);
    return reply.code(created ? 201 : 200).send(addonViewOf(after, addon));
  });

  app.delete(one, {
    schema: {
      tags,
      summary: "Take an add-on away",
      description: "Removes the entry of this name from spec.addons, and the add-on controller uninstalls it. An add-on that something else asks for too — a built-in one (coredns, metrics-server, dashboard, calico, flannel, cilium: the platform's defaults, the template or spec.network.cni may name it) or one the cluster's template lists — would come back without its entry: its entry is kept with enabled: false instead (so DELETE …/addons/coredns turns the platform's CoreDNS off; PUT it with {} to turn it on again). 404 when the cluster has no entry of this name and nothing else asks for it.",
      params: AddonParams,
      response: { 200: AddonViewSchema, ...errors(404, 409, 422, ...bodyErrors) },
    },
  }, async (request) => {
    const { project, cluster: name, addon } = request.params;
    const client = clientFor(ctx, request);
    const { after } = await call(() => updateAddons(client, projectObject(clusters, project, name), async (cluster) => {
      const removal = addonRemoval(cluster.spec.addons ?? [], (await templateOf(client, project, cluster))?.spec.addons?.find((a) => a.name === addon), addon);
      if (removal === undefined) throw new HttpError(404, "NotFound", `cluster ${name} has no add-on ${addon} in spec.addons, and neither its template nor the platform asks for one: GET …/clusters/${name}/addons lists them`);
      return removal.addons;
    }));
    return addonViewOf(after, addon);
  });
}
