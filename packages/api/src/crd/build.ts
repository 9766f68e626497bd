import type { KubernetesObject } from "@kubernetes/client-node";
import { dns1123LabelPattern } from "../schema/names.ts";
import { group, version } from "../schema/resource.ts";
import type { KindDefinition } from "./definition.ts";

/** JSON Schema keys a CRD's structural schema accepts; anything else TypeBox adds is dropped. */
const allowedKeys = new Set([
  "type", "format", "description", "default", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
  "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
  "required", "properties", "additionalProperties", "items", "anyOf", "allOf", "oneOf", "not", "nullable", "title",
  "x-kubernetes-validations", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource",
  "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
]);

/** A JSON Schema node as a CRD holds it on the wire (`x-kubernetes-*` keys as written). */
export type StructuralSchema = Record<string, unknown>;

/**
 * A CRD manifest in wire form, as kubectl and the Helm chart take it. (The
 * client-node model classes name the x-kubernetes-* fields differently; use
 * loadYaml or ObjectSerializer to turn this into one.)
 */
export type CRDManifest = KubernetesObject & { spec: Record<string, unknown> };

/**
 * Turns a TypeBox schema into a CRD structural schema: keeps only keys CRDs
 * accept, and drops a property from `required` when it has a default (the
 * apiserver fills it in, so users need not write it, while our TypeScript
 * types still see it as present).
 */
export function toStructural(schema: unknown): StructuralSchema {
  if (Array.isArray(schema)) return schema.map(toStructural) as unknown as StructuralSchema;
  if (schema === null || typeof schema !== "object") return schema as StructuralSchema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) {
    if (!allowedKeys.has(key)) continue;
    const value = source[key];
    if (key === "properties" && value !== null && typeof value === "object") {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, prop]) => [name, toStructural(prop)]));
    } else if (key === "items" || key === "additionalProperties" || key === "not") {
      out[key] = typeof value === "object" ? toStructural(value) : value;
    } else if ((key === "anyOf" || key === "allOf" || key === "oneOf") && Array.isArray(value)) {
      out[key] = value.map(toStructural);
    } else {
      out[key] = value;
    }
  }
  if (Array.isArray(out.required) && out.properties !== undefined) {
    const props = out.properties as Record<string, { default?: unknown }>;
    const required = (out.required as string[]).filter((name) => props[name]?.default === undefined);
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  return out;
}

/** The CustomResourceDefinition of a kind: one served and stored version, status subresource, columns and short names. */
export function buildCRD(def: KindDefinition): CRDManifest {
  const structural = toStructural(def.schema);
  const openAPIV3Schema: StructuralSchema = {
    ...structural,
    description: def.description,
    type: "object",
    required: ["spec"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      // The only metadata a CRD schema may restrict; names must be DNS-1123
      // labels short enough for the names derived from them.
      metadata: {
        type: "object",
        properties: {
          name: {
            type: "string",
            maxLength: def.name.maxLength,
            pattern: dns1123LabelPattern,
            description: `A DNS-1123 label (lowercase letters, digits, '-') of at most ${def.name.maxLength} characters, ${def.name.why}.`,
          },
        },
      },
      ...(structural.properties as Record<string, unknown>),
    },
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.plural}.${group}` },
    spec: {
      group,
      scope: def.scope,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: [...def.shortNames],
        categories: ["seedbed"],
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns.map((c) => ({ ...c })),
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}
