import { ApiException, type KubernetesObject } from "@kubernetes/client-node";
import { clusterPolicyKind, type ClusterPolicy, type ClusterSync } from "@seedbed/api";
import type { ObjectClient } from "@seedbed/runtime";
import Type from "typebox";
import { kubeCall } from "../kube/errors.ts";
import { trimmed, trimmedList, type ObjectList } from "../kube/objects.ts";
import { clusterPolicies, clusterSyncs, projectCollection, projectNamespace, projectObject } from "../kube/resources.ts";
import { labelSelectorParam, nameParam, projectParam, putBodySchema, type PutBody } from "../validation/schemas.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { bodyErrors, errors, listSchema, objectSchema } from "./docs.ts";
import { maxPageSize, PolicyClusterEntrySchema, policyClustersPage } from "./policy-page.ts";

/** Who wrote a field, in managedFields (as the other routes). */
const fieldManager = "seedbed-server";
const write = { fieldManager, fieldValidation: "Strict" };

/** How often a PUT is tried when the policy was created, changed or deleted between our read and our write (a 409 or 404). */
const conflictAttempts = 3;

/** ClusterSyncs listed per request to the management API while a page is assembled. */
const syncChunk = 500;

const PolicyParams = Type.Object({ project: projectParam, policy: nameParam(clusterPolicyKind.name.maxLength, "The ClusterPolicy's name.") });

/** ?limit=&continue= of …/policies/:policy/clusters (strings: the server coerces no query types). */
const PageQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: "^([1-9][0-9]?|[1-4][0-9]{2}|500)$", description: `At most this many clusters (1 to ${String(maxPageSize)}; default ${String(maxPageSize)}).` })),
  continue: Type.Optional(nameParam(63, "The previous page's `continue`: the page starts after the cluster of that name.")),
});

/** The object a PUT writes: the body's spec (and labels, annotations), under the path's name and namespace, over `stored` when there is one. */
function policyObject(project: string, name: string, body: PutBody, stored: ClusterPolicy | undefined): KubernetesObject {
  // managedFields left out are kept as stored; everything else of the stored metadata (resourceVersion, finalizers, owners) goes back as read.
  const kept = Object.fromEntries(Object.entries(stored?.metadata ?? {}).filter(([key]) => key !== "managedFields"));
  const metadata = {
    ...kept,
    name,
    namespace: projectNamespace(project),
    ...(body.metadata?.labels === undefined ? {} : { labels: body.metadata.labels }),
    ...(body.metadata?.annotations === undefined ? {} : { annotations: body.metadata.annotations }),
  };
  return { apiVersion: clusterPolicies.apiVersion, kind: clusterPolicies.kind, metadata, spec: body.spec } as KubernetesObject;
}

/** GET as the caller; undefined for a 404. */
async function readOrNothing(client: ObjectClient, path: string): Promise<ClusterPolicy | undefined> {
  try {
    return await client.request<ClusterPolicy>("GET", path);
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}

/**
 * Creates the policy (POST) or replaces it (PUT with the resourceVersion
 * read); when it was created, changed or deleted in between (409, 404),
 * reads and tries again.
 */
async function putPolicy(client: ObjectClient, project: string, name: string, body: PutBody): Promise<{ created: boolean; policy: ClusterPolicy }> {
  const path = projectObject(clusterPolicies, project, name);
  for (let attempt = 1; ; attempt += 1) {
    const stored = await readOrNothing(client, path);
    try {
      const policy = stored === undefined
        ? await client.request<ClusterPolicy>("POST", projectCollection(clusterPolicies, project), { body: policyObject(project, name, body, undefined), query: write })
        : await client.request<ClusterPolicy>("PUT", path, { body: policyObject(project, name, body, stored), query: write });
      return { created: stored === undefined, policy };
    } catch (error) {
      const raced = error instanceof ApiException && (error.code === 409 || (error.code === 404 && stored !== undefined));
      if (attempt < conflictAttempts && raced) continue;
      throw error;
    }
  }
}

/**
 * Deletes the policy read (its uid as precondition: a policy made anew
 * under the name meanwhile is not deleted, 409) and answers it: the
 * apiserver answers a bare Status when nothing held the object back.
 */
async function deletePolicy(client: ObjectClient, path: string): Promise<KubernetesObject> {
  const policy = await client.request<ClusterPolicy>("GET", path);
  const answer = await client.request<KubernetesObject>("DELETE", path, { body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: policy.metadata.uid } } });
  return answer.kind === clusterPolicies.kind ? answer : policy;
}

/** Every ClusterSync of the project, listed in chunks so that no single answer grows with the fleet. */
async function projectSyncs(client: ObjectClient, project: string): Promise<ClusterSync[]> {
  const syncs: ClusterSync[] = [];
  let next: string | undefined;
  do {
    const list = await client.request<ObjectList<ClusterSync> & { metadata?: { continue?: string } }>("GET", projectCollection(clusterSyncs, project), { query: { limit: syncChunk, continue: next } });
    syncs.push(...list.items);
    next = list.metadata?.continue === "" ? undefined : list.metadata?.continue;
  } while (next !== undefined);
  return syncs;
}

/**
 * GET /projects/:project/policies, GET/PUT/DELETE …/policies/:policy and
 * GET …/policies/:policy/clusters: a project's ClusterPolicies (which keep
 * namespaces, RBAC and manifests on the project's clusters their selector
 * matches) and how each stands on every cluster. Every call goes with the
 * caller's token: viewers read (policies and the ClusterSyncs that hold
 * the per-cluster detail), editors and owners write; the CRD's schema is
 * checked here (400 naming the field) and its CEL rules by the apiserver
 * (422 naming the field).
 */
export function policyRoutes(app: App, ctx: RouteContext): void {
  const kind = clusterPolicyKind;
  const collection = "/projects/:project/policies";
  const one = `${collection}/:policy`;
  const tags = ["policies"];
  const call = kubeCall;

  app.get(collection, {
    schema: { tags, summary: "List the project's ClusterPolicies", description: "Each with its counts (status: selected, in sync, pending, drifted, conflicted, failed clusters) and at most ten offenders.", params: Type.Object({ project: projectParam }), querystring: Type.Object({ labelSelector: Type.Optional(labelSelectorParam) }), response: { 200: listSchema(kind), ...errors(400, 404) } },
  }, async (request) => {
    const { labelSelector } = request.query;
    const list = await call(() => clientFor(ctx, request).request<ObjectList>("GET", projectCollection(clusterPolicies, request.params.project), { query: { labelSelector } }));
    return trimmedList(list, clusterPolicies);
  });

  app.get(one, {
    schema: { tags, summary: "Read a ClusterPolicy", params: PolicyParams, response: { 200: objectSchema(kind), ...errors(400, 404) } },
  }, async (request) => trimmed(await call(() => clientFor(ctx, request).request<KubernetesObject>("GET", projectObject(clusterPolicies, request.params.project, request.params.policy))), clusterPolicies));

  app.put(one, {
    schema: {
      tags,
      summary: "Create or replace a ClusterPolicy",
      description: "201 when it is new, 200 when it replaced the spec (and, when given, the labels and annotations) of the stored one; its status stays the operator's. A binding to a Role without a namespace, a ServiceAccount subject without one, and the other CEL rules are the apiserver's 422, naming the field (e.g. spec.bindings[0].roleRef).",
      params: PolicyParams,
      body: putBodySchema(kind),
      response: { 200: objectSchema(kind), 201: objectSchema(kind), ...errors(400, 404, 409, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const { project, policy: name } = request.params;
    const { created, policy } = await call(() => putPolicy(clientFor(ctx, request), project, name, request.body));
    return reply.code(created ? 201 : 200).send(trimmed(policy, clusterPolicies));
  });

  app.delete(one, {
    schema: {
      tags,
      summary: "Delete a ClusterPolicy",
      description: "Answers the policy as it was deleted (with metadata.deletionTimestamp while finalizers hold it). Each selected cluster's agent then removes what the policy made there (or leaves it, no longer the policy's, with spec.prune: false).",
      params: PolicyParams,
      response: { 200: objectSchema(kind), ...errors(404, 409, ...bodyErrors) },
    },
  }, async (request) => trimmed(await call(() => deletePolicy(clientFor(ctx, request), projectObject(clusterPolicies, request.params.project, request.params.policy))), clusterPolicies));

  app.get(`${one}/clusters`, {
    schema: {
      tags,
      summary: "How a ClusterPolicy stands on each cluster",
      description: `Per cluster, from the ClusterSync its agent reports in (the policy's own status holds only counts and at most ten offenders): state, objects kept, problems (kind, name, reason, message), when last applied, and whether the report is of the policy's current generation. In cluster-name order, at most \`limit\` (default and maximum ${String(maxPageSize)}); \`continue\` in the answer, passed back as ?continue=, gives the next page.`,
      params: PolicyParams,
      querystring: PageQuery,
      response: { 200: Type.Object({ items: Type.Array(PolicyClusterEntrySchema), continue: Type.Optional(Type.String({ description: "Present when more clusters follow: pass it as ?continue= for the next page." })) }), ...errors(400, 404) },
    },
  }, async (request) => {
    const { project, policy: name } = request.params;
    const client = clientFor(ctx, request);
    const policy = await call(() => client.request<ClusterPolicy>("GET", projectObject(clusterPolicies, project, name)));
    const syncs = await call(() => projectSyncs(client, project));
    const limit = request.query.limit === undefined ? undefined : Number(request.query.limit);
    return policyClustersPage(policy, syncs, limit, request.query.continue);
  });
}
