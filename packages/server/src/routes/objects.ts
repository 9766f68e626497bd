import type { KubernetesObject } from "@kubernetes/client-node";
import Type, { type TUnsafe } from "typebox";
import { HttpError } from "../errors.ts";
import { kubeCall } from "../kube/errors.ts";
import { trimmed, trimmedList, type ObjectList } from "../kube/objects.ts";
import { projectCollection, projectNamespace, projectObject, type ProjectResource } from "../kube/resources.ts";
import { createBodySchema, labelSelectorParam, nameParam, patchBodySchema, projectParam } from "../validation/schemas.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { bodyErrors, errors, listSchema, objectSchema } from "./docs.ts";

/** Who wrote a field, in managedFields. */
const fieldManager = "seedbed-server";

/** The path parameters of one object: the project and the kind's own parameter (cluster, pool). */
type ObjectParams = { project: string } & Record<string, string>;

/** The path parameters of one object of `resource`. */
export function objectParams(resource: ProjectResource): TUnsafe<ObjectParams> {
  const name = nameParam(resource.definition.name.maxLength, `The ${resource.definition.kind}'s name.`);
  return Type.Unsafe<ObjectParams>(Type.Object({ project: projectParam, [resource.param]: name }));
}

/** The object's name from validated path parameters. */
export function objectName(params: ObjectParams, resource: ProjectResource): string {
  const name = params[resource.param];
  if (name === undefined) throw new HttpError(400, "BadRequest", `missing path parameter ${resource.param}`);
  return name;
}

/**
 * GET/POST /projects/:project/<kind> and GET/PATCH/DELETE
 * /projects/:project/<kind>/:<param>: each one call to the management API
 * in namespace project-<project>, made with the caller's token, so RBAC
 * decides and its refusals come back as they are.
 */
export function objectRoutes(app: App, ctx: RouteContext, resource: ProjectResource): void {
  const kind = resource.definition;
  const collection = `/projects/:project/${resource.path}`;
  const one = `${collection}/:${resource.param}`;
  const tags = [resource.path];
  const call = kubeCall;

  app.get(collection, {
    schema: {
      tags,
      summary: `List the project's ${kind.plural}`,
      params: Type.Object({ project: projectParam }),
      querystring: Type.Object({ labelSelector: Type.Optional(labelSelectorParam) }),
      response: { 200: listSchema(kind), ...errors(400, 404) },
    },
  }, async (request) => {
    const { labelSelector } = request.query;
    const list = await call(() => clientFor(ctx, request).request<ObjectList>("GET", projectCollection(resource, request.params.project), { query: { labelSelector } }));
    return trimmedList(list, resource);
  });

  app.post(collection, {
    schema: {
      tags,
      summary: `Create a ${kind.singular}`,
      params: Type.Object({ project: projectParam }),
      body: createBodySchema(kind),
      response: { 201: objectSchema(kind), ...errors(400, 404, 409, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const { project } = request.params;
    const namespace = projectNamespace(project);
    const { metadata, spec } = request.body;
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      throw new HttpError(400, "BadRequest", `body/metadata/namespace must be ${namespace} (the project's) or left out`, "metadata.namespace");
    }
    const body = { apiVersion: resource.apiVersion, kind: resource.kind, metadata: { ...metadata, namespace }, spec };
    const created = await call(() => clientFor(ctx, request).request<KubernetesObject>("POST", projectCollection(resource, project), { body, query: { fieldManager, fieldValidation: "Strict" } }));
    return reply.code(201).send(trimmed(created, resource));
  });

  app.get(one, {
    schema: { tags, summary: `Read a ${kind.singular}`, params: objectParams(resource), response: { 200: objectSchema(kind), ...errors(400, 404) } },
  }, async (request) => {
    const path = projectObject(resource, request.params.project, objectName(request.params, resource));
    return trimmed(await call(() => clientFor(ctx, request).request<KubernetesObject>("GET", path)), resource);
  });

  app.patch(one, {
    schema: {
      tags,
      summary: `Change a ${kind.singular}`,
      description: "A JSON merge patch (RFC 7386) of spec, labels and annotations: fields given replace the stored ones, null removes one, lists are replaced whole.",
      params: objectParams(resource),
      consumes: ["application/merge-patch+json", "application/json"],
      body: patchBodySchema(kind),
      response: { 200: objectSchema(kind), ...errors(400, 404, 409, 413, 415, 422) },
    },
  }, async (request) => {
    const path = projectObject(resource, request.params.project, objectName(request.params, resource));
    const patched = await call(() => clientFor(ctx, request).request<KubernetesObject>("PATCH", path, {
      body: request.body,
      contentType: "application/merge-patch+json",
      query: { fieldManager, fieldValidation: "Strict" },
    }));
    return trimmed(patched, resource);
  });

  app.delete(one, {
    schema: {
      tags,
      summary: `Delete a ${kind.singular}`,
      description: "Starts the deletion; the object stays, with metadata.deletionTimestamp set, until the platform has cleaned up.",
      params: objectParams(resource),
      response: { 200: objectSchema(kind), ...errors(404, 409, ...bodyErrors) },
    },
  }, async (request) => {
    const path = projectObject(resource, request.params.project, objectName(request.params, resource));
    return trimmed(await call(() => clientFor(ctx, request).request<KubernetesObject>("DELETE", path)), resource);
  });
}
