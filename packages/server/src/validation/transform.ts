/** A JSON Schema node, as the CRDs hold it. */
export type JsonSchema = Record<string, unknown>;

const preserveUnknown = "x-kubernetes-preserve-unknown-fields";

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === "object" || schema.properties !== undefined;
}

function mapChildren(schema: JsonSchema, map: (child: JsonSchema) => JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (schema.properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(schema.properties as Record<string, JsonSchema>).map(([name, prop]) => [name, map(prop)]));
  }
  if (typeof schema.items === "object") out.items = map(schema.items as JsonSchema);
  if (typeof schema.additionalProperties === "object") out.additionalProperties = map(schema.additionalProperties as JsonSchema);
  for (const key of ["anyOf", "allOf", "oneOf"] as const) {
    if (Array.isArray(schema[key])) out[key] = (schema[key] as JsonSchema[]).map(map);
  }
  return out;
}

/**
 * Closes every object of a CRD schema to unknown fields (additionalProperties:
 * false), except maps and free-form objects. The apiserver would silently
 * prune an unknown field, so a typo such as `replica: 3` would be lost;
 * rejecting it names the field instead, as `kubectl --validate=strict` does.
 */
export function closed(schema: JsonSchema): JsonSchema {
  const out = mapChildren(schema, closed);
  if (isObjectSchema(schema) && schema.additionalProperties === undefined && schema[preserveUnknown] !== true && schema.properties !== undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** The schema also accepting null (a merge patch's "remove this field"). */
function nullable(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (typeof schema.type === "string") out.type = [schema.type, "null"];
  else if (Array.isArray(schema.anyOf)) out.anyOf = [...(schema.anyOf as JsonSchema[]), { type: "null" }];
  if (Array.isArray(schema.enum)) out.enum = [...(schema.enum as unknown[]), null];
  return out;
}

/**
 * The schema of a JSON merge patch (RFC 7386) of objects of `schema`:
 * every field optional and nullable (null removes it), objects merged
 * field by field, arrays replaced whole (so their items keep the full
 * schema), and no defaults, which would overwrite what the patch leaves
 * out. Cross-field rules are left to the apiserver, which checks the
 * merged object.
 */
export function mergePatchOf(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  delete out.default;
  delete out.required;
  if (schema.properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(schema.properties as Record<string, JsonSchema>).map(([name, prop]) => [name, nullable(mergePatchOf(prop))]));
  }
  if (typeof schema.additionalProperties === "object") out.additionalProperties = nullable(mergePatchOf(schema.additionalProperties as JsonSchema));
  return out;
}
