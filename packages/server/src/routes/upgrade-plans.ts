import type { KubernetesObject } from "@kubernetes/client-node";
import { upgradePlanKind } from "@seedbed/api";
import { collectionPath, objectPath } from "@seedbed/runtime";
import Type, { type TUnsafe } from "typebox";
import { HttpError } from "../errors.ts";
import { fromKubeError } from "../kube/errors.ts";
import { trimmed, trimmedList, type ObjectList } from "../kube/objects.ts";
import { upgradePlans } from "../kube/resources.ts";
import { createBodySchema, nameParam, patchBodySchema, type CreateBody } from "../validation/schemas.ts";
import type { JsonSchema } from "../validation/transform.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { bodyErrors, errors, listSchema, objectSchema } from "./docs.ts";

/** Who wrote a field, in managedFields (as the other routes). */
const fieldManager = "seedbed-server";

/** What a refusal means here: plans reach across projects, so project roles grant none of them. */
export const platformAdminsOnly = "UpgradePlans select clusters across projects, so only platform admins (a ClusterRole granting upgradeplans.seedbed.dev, such as cluster-admin through the group seedbed:admins) may read, create, change or delete them";

/**
 * The body of a create: the CRD's schema as for the project kinds, but
 * without metadata.namespace (the kind is cluster-scoped; one given is
 * refused as an unknown field).
 */
function createPlanBody(): TUnsafe<CreateBody> {
  const schema = structuredClone(createBodySchema(upgradePlanKind)) as unknown as JsonSchema & { properties: { metadata: { properties: Record<string, unknown> } } };
  delete schema.properties.metadata.properties.namespace;
  return Type.Unsafe<CreateBody>({ ...schema, description: `A new UpgradePlan: ${upgradePlanKind.description} Cluster-scoped: no metadata.namespace. Platform admins only.` });
}

/** The management API's answer as the caller's error; a 403 also says who may. */
function planError(error: unknown): Error {
  const converted = fromKubeError(error);
  if (converted instanceof HttpError && converted.status === 403) return new HttpError(403, converted.reason, `${converted.message}: ${platformAdminsOnly}`, converted.field);
  return converted;
}

/**
 * GET/POST /upgradeplans and GET/PATCH/DELETE /upgradeplans/:plan:
 * fleet upgrades, cluster-scoped, each one call to the management API
 * with the caller's token. Whether the caller is a platform admin is
 * decided there, by RBAC, as for every other route: project roles are
 * bound in a project's namespace and cannot grant a cluster-scoped kind,
 * so only a ClusterRole can (seedbed:admins holds cluster-admin).
 */
export function upgradePlanRoutes(app: App, ctx: RouteContext): void {
  const kind = upgradePlanKind;
  const tags = ["upgradeplans"];
  const params = Type.Object({ plan: nameParam(kind.name.maxLength, "The UpgradePlan's name.") });
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw planError(error);
    }
  };
  const admins = "Platform admins only (Kubernetes RBAC decides: 403 for everyone else, project owners included).";

  app.get("/upgradeplans", {
    schema: { tags, summary: "List the UpgradePlans", description: admins, response: { 200: listSchema(kind), ...errors() } },
  }, async (request) => {
    const list = await call(() => clientFor(ctx, request).request<ObjectList>("GET", collectionPath(upgradePlans)));
    return trimmedList(list, upgradePlans);
  });

  app.post("/upgradeplans", {
    schema: { tags, summary: "Create an UpgradePlan", description: admins, body: createPlanBody(), response: { 201: objectSchema(kind), ...errors(400, 409, 413, 415, 422) } },
  }, async (request, reply) => {
    const { metadata, spec } = request.body;
    const body = { apiVersion: upgradePlans.apiVersion, kind: upgradePlans.kind, metadata, spec };
    const created = await call(() => clientFor(ctx, request).request<KubernetesObject>("POST", collectionPath(upgradePlans), { body, query: { fieldManager, fieldValidation: "Strict" } }));
    return reply.code(201).send(trimmed(created, upgradePlans));
  });

  app.get("/upgradeplans/:plan", {
    schema: { tags, summary: "Read an UpgradePlan: its phase, waves and each selected cluster's state", description: admins, params, response: { 200: objectSchema(kind), ...errors(400, 404) } },
  }, async (request) => trimmed(await call(() => clientFor(ctx, request).request<KubernetesObject>("GET", objectPath(upgradePlans, undefined, request.params.plan))), upgradePlans));

  app.patch("/upgradeplans/:plan", {
    schema: {
      tags,
      summary: "Change an UpgradePlan (pause it: {\"spec\":{\"paused\":true}})",
      description: `A JSON merge patch (RFC 7386) of spec, labels and annotations; spec.version cannot change (422). ${admins}`,
      params,
      consumes: ["application/merge-patch+json", "application/json"],
      body: patchBodySchema(kind),
      response: { 200: objectSchema(kind), ...errors(400, 404, 409, 413, 415, 422) },
    },
  }, async (request) => {
    const patched = await call(() => clientFor(ctx, request).request<KubernetesObject>("PATCH", objectPath(upgradePlans, undefined, request.params.plan), {
      body: request.body,
      contentType: "application/merge-patch+json",
      query: { fieldManager, fieldValidation: "Strict" },
    }));
    return trimmed(patched, upgradePlans);
  });

  app.delete("/upgradeplans/:plan", {
    schema: { tags, summary: "Delete an UpgradePlan: no new cluster starts; upgrades it started finish on their own", description: admins, params, response: { 200: objectSchema(kind), ...errors(404, 409, ...bodyErrors) } },
  }, async (request) => trimmed(await call(() => clientFor(ctx, request).request<KubernetesObject>("DELETE", objectPath(upgradePlans, undefined, request.params.plan))), upgradePlans));
}
