import { buildCRD, clusterKind, clusterPolicyKind, etcdBackupKind, etcdRestoreKind, nodePoolKind, projectKind, upgradePlanKind, type KindDefinition } from "@seedbed/api";
import Type, { type TSchema } from "typebox";

/** The error body every failure carries. */
const ErrorResponse: TSchema = Type.Object({
  error: Type.Object({
    status: Type.Integer({ description: "The HTTP status, repeated." }),
    reason: Type.String({ description: "A CamelCase word as Kubernetes' Status.reason: Unauthorized, Forbidden, NotFound, AlreadyExists, Invalid, BadRequest, …" }),
    message: Type.String({ description: "What went wrong; the management API's own message when it refused (it names the field for schema, CEL and quota failures)." }),
    field: Type.Optional(Type.String({ description: "The field at fault, e.g. spec.controlPlane.replicas." })),
  }),
}, { $id: "Error", description: "An error." });

/** A reference to a shared schema, which the OpenAPI document holds once under components. */
function ref(id: string, description: string): TSchema {
  return Type.Unsafe({ $ref: `${id}#`, description });
}

/**
 * Error responses of a route that calls the management API as the caller:
 * 401, 403, 429 and 502 always, and `statuses` besides (400 wherever a path
 * parameter, query or body is checked).
 */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries([...new Set([401, 403, 429, 502, ...statuses])].sort((a, b) => a - b).map((status) => [status, ref("Error", descriptions[status] ?? "Error.")]));
}

/** Error responses of a route that takes no body but, as every DELETE, may be sent one: it must be JSON and small. */
export const bodyErrors: readonly number[] = [400, 413, 415];

const descriptions: Record<number, string> = {
  400: "A path parameter, the query or the body is malformed or fails the schema (names are DNS-1123 labels); the message names the field.",
  401: "No bearer token, or one the management API does not accept.",
  403: "The caller's role does not allow this (Kubernetes RBAC decided).",
  404: "No such object (or project) visible to the caller.",
  409: "The object exists already, or changed meanwhile, or its state does not allow the request (an upgrade or rollback under way, no upgrade to roll back).",
  413: "The request body is larger than 64 KiB.",
  415: "The request body is not JSON.",
  422: "The management API refused the object (CEL rule, immutable field, quota); the message names the field.",
  429: "The management API asked to slow down (its priority and fairness limits), or its storage of the kind is still starting (a kind served for the first time, or after a restart); retry shortly.",
  501: "Not available in this installation.",
  502: "The management API failed or could not be reached.",
  503: "The server is starting.",
};

/** A kind's object as stored (its CRD's schema), shared under the kind's name. */
function storedSchema(kind: KindDefinition): TSchema {
  const versions = buildCRD(kind).spec.versions as { schema: { openAPIV3Schema: TSchema } }[];
  const schema = versions[0]?.schema.openAPIV3Schema ?? Type.Object({});
  return { ...schema, $id: kind.kind, description: `A ${kind.kind}. ${kind.description}` };
}

/**
 * The schemas routes refer to by $ref, to add to the server with
 * `addSchema` (documentation only: responses are not filtered by them).
 */
export function sharedSchemas(): TSchema[] {
  return [ErrorResponse, ...[projectKind, clusterKind, nodePoolKind, etcdBackupKind, etcdRestoreKind, upgradePlanKind, clusterPolicyKind].map(storedSchema)];
}

/** A kind's object (Project, Cluster, NodePool, EtcdBackup, EtcdRestore, UpgradePlan or ClusterPolicy). */
export function objectSchema(kind: KindDefinition): TSchema {
  return ref(kind.kind, `A ${kind.kind}.`);
}

/** `{ items: [...] }` of a kind. */
export function listSchema(kind: KindDefinition): TSchema {
  return Type.Object({ items: Type.Array(ref(kind.kind, `A ${kind.kind}.`)) }, { description: `${kind.kind} objects.` });
}

/** A Kubernetes object of a built-in kind, for the documentation. */
export const AnyObject: TSchema = Type.Object({
  apiVersion: Type.String(),
  kind: Type.String(),
  metadata: Type.Object({}, { additionalProperties: true }),
}, { additionalProperties: true });
