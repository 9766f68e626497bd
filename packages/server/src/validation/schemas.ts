import { apiVersion, buildCRD, clusterKind, projectKind, type KindDefinition } from "@seedbed/api";
import Type, { type TUnsafe } from "typebox";
import { labelSelectorMaxLength, labelSelectorPattern } from "./label-selector.ts";
import { closed, mergePatchOf, type JsonSchema } from "./transform.ts";

/** A DNS-1123 label, as the CRDs require of names. */
const dnsLabel = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/** What a create request carries: the object less its status. */
export interface CreateBody {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** What a PATCH request carries: a JSON merge patch of spec (and of labels and annotations). */
export interface PatchBody {
  metadata?: { labels?: Record<string, string | null> | null; annotations?: Record<string, string | null> | null };
  spec?: Record<string, unknown>;
}

/**
 * metadata.namespace of a create: the project's own namespace or nothing.
 * Which namespace that is depends on the path, so the schema states the
 * form and the description the rule; the route answers 400 otherwise.
 */
const namespaceField: JsonSchema = {
  type: "string",
  pattern: "^project-[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
  maxLength: 63,
  description: "Must be project-<project>, the namespace of the project in the path (e.g. project-a under /projects/a), or left out; any other value is refused with 400 (field metadata.namespace).",
};

const stringMap: JsonSchema = { type: "object", additionalProperties: { type: "string" }, maxProperties: 256 };

/** The CRD's own openAPIV3Schema for `kind`, exactly as kube-apiserver validates with it. */
function crdSchema(kind: KindDefinition): JsonSchema {
  const versions = buildCRD(kind).spec.versions as { schema: { openAPIV3Schema: JsonSchema } }[];
  const schema = versions[0]?.schema.openAPIV3Schema;
  if (!schema) throw new Error(`the CRD of ${kind.kind} has no schema`);
  return schema;
}

function specOf(kind: KindDefinition): JsonSchema {
  return (crdSchema(kind).properties as Record<string, JsonSchema>).spec as JsonSchema;
}

/**
 * The body of a create: the CRD's schema (its spec and its metadata.name
 * rule: a DNS-1123 label of the kind's maximum length), closed to unknown
 * fields, without status (the platform writes that).
 */
export function createBodySchema(kind: KindDefinition): TUnsafe<CreateBody> {
  const crdName = ((crdSchema(kind).properties as Record<string, JsonSchema>).metadata?.properties as Record<string, JsonSchema>).name;
  return Type.Unsafe<CreateBody>(closed({
    type: "object",
    description: `A new ${kind.kind}: ${kind.description} metadata.namespace is the project's (project-<project>) or left out; apiVersion and kind may be left out.`,
    required: ["metadata", "spec"],
    properties: {
      apiVersion: { type: "string", enum: [apiVersion] },
      kind: { type: "string", enum: [kind.kind] },
      metadata: {
        type: "object",
        required: ["name"],
        properties: { name: crdName, namespace: namespaceField, labels: stringMap, annotations: stringMap },
      },
      spec: specOf(kind),
    },
  }));
}

/**
 * The body of a PATCH: a JSON merge patch (RFC 7386) of `spec`, and of
 * `metadata.labels` and `metadata.annotations`. Types, ranges and lengths
 * are checked here; rules across fields (CEL) by kube-apiserver on the
 * merged object, whose 422 names the field.
 */
export function patchBodySchema(kind: KindDefinition): TUnsafe<PatchBody> {
  const nullableMap: JsonSchema = { type: ["object", "null"], additionalProperties: { type: ["string", "null"] }, maxProperties: 256 };
  return Type.Unsafe<PatchBody>(closed({
    type: "object",
    description: `A JSON merge patch of a ${kind.kind}'s spec (null removes a field; lists are replaced whole), sent as application/merge-patch+json or application/json.`,
    minProperties: 1,
    properties: {
      metadata: { type: "object", properties: { labels: nullableMap, annotations: nullableMap } },
      spec: mergePatchOf(specOf(kind)),
    },
  }));
}

/** What PUT …/addons/:addon carries: an entry of spec.addons without its name (the path's). */
export interface AddonBody {
  enabled?: boolean;
  helm?: { repository: string; chart: string; version: string; namespace?: string; values?: Record<string, unknown> };
}

/**
 * The body of PUT …/addons/:addon: the CRD's own schema of an entry of
 * spec.addons, closed, less `name` (the path names the add-on). Nothing is
 * required: `{}` asks for a built-in add-on, enabled (the apiserver fills
 * in the defaults); its CEL rules (a built-in name or a chart, a Helm
 * release name of at most 53 characters, a repository URL) are the
 * apiserver's, whose 422 names the field.
 */
export function addonBodySchema(): TUnsafe<AddonBody> {
  const addons = (specOf(clusterKind).properties as Record<string, JsonSchema>).addons;
  const item = addons?.items as JsonSchema | undefined;
  if (item === undefined) throw new Error("the Cluster CRD has no spec.addons");
  const properties = Object.fromEntries(Object.entries(item.properties as Record<string, JsonSchema>).filter(([key]) => key !== "name"));
  // The entry's own rules are about its name, which the path carries: the apiserver checks them on the merged object.
  const rest = Object.fromEntries(Object.entries(item).filter(([key]) => key !== "required" && key !== "x-kubernetes-validations"));
  return Type.Unsafe<AddonBody>(closed({
    ...rest,
    properties,
    description: "An add-on of the cluster, replacing any entry of the same name in spec.addons: enabled (default true) and, for anything but a built-in add-on (coredns, metrics-server, dashboard; calico, flannel, cilium for the CNI's chart), a Helm chart.",
  }));
}

/** A name path parameter: a DNS-1123 label of at most `maxLength` characters. */
export function nameParam(maxLength: number, description: string): ReturnType<typeof Type.String> {
  return Type.String({ pattern: dnsLabel, minLength: 1, maxLength, description });
}

/** The `:project` path parameter. */
export const projectParam: ReturnType<typeof Type.String> = nameParam(projectKind.name.maxLength, "The project's name.");

/** The `labelSelector` query parameter of a list: Kubernetes' selector syntax, passed on to the management API. */
export const labelSelectorParam: ReturnType<typeof Type.String> = Type.String({
  pattern: labelSelectorPattern,
  maxLength: labelSelectorMaxLength,
  description: "Only objects whose labels match, in Kubernetes' label selector syntax (as kubectl -l): requirements key=value (or ==), key!=value, key in (a,b), key notin (a,b), key, !key, joined by commas, e.g. env=prod,region in (eu,us). Keys are label keys (an optional DNS prefix and '/', then a name of at most 63 characters; a key without prefix may not be in or notin), values label values. Anything else is a 400.",
});

/** What PUT …/policies/:policy carries: the policy less its name, namespace (the path's) and status. */
export interface PutBody {
  apiVersion?: string;
  kind?: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/**
 * The body of a PUT that creates or replaces an object named by the path:
 * the CRD's spec schema, closed to unknown fields, and of the metadata
 * only labels and annotations (the path names it, in the path's project).
 */
export function putBodySchema(kind: KindDefinition): TUnsafe<PutBody> {
  return Type.Unsafe<PutBody>(closed({
    type: "object",
    description: `A ${kind.kind}, created or replacing the one of the path's name: ${kind.description} The path names it and its project: metadata holds only labels and annotations (replacing the stored ones when given, kept when left out); apiVersion and kind may be left out.`,
    required: ["spec"],
    properties: {
      apiVersion: { type: "string", enum: [apiVersion] },
      kind: { type: "string", enum: [kind.kind] },
      metadata: { type: "object", properties: { labels: stringMap, annotations: stringMap } },
      spec: specOf(kind),
    },
  }));
}
