import fc, { type Arbitrary } from "fast-check";

/** A JSON Schema as the OpenAPI document holds it (the CRDs' structural schemas, closed). */
export type Schema = Record<string, unknown>;

/** Bounds that keep generated bodies small: a request stays far below the 64 KiB limit. */
const most = { items: 2, keys: 2, chars: 12, integer: 100 };

/** A field whose value the test must choose itself (the rule depends on the path, which a schema cannot say). */
export type Override = (path: readonly string[]) => Arbitrary<unknown> | undefined;

/** How to generate. */
export interface ValueOptions {
  /** Chooses fields whose rule the schema states in words only; an arbitrary yielding undefined leaves the field out. */
  readonly override?: Override;
  /** Required fields only (a minimal object), instead of each optional one a third of the time. */
  readonly sparse?: boolean;
}

function types(schema: Schema): string[] {
  const type = schema.type;
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === "string");
  if (typeof type === "string") return [type];
  if (schema.properties !== undefined) return ["object"];
  return [];
}

function stringOf(schema: Schema): Arbitrary<string> {
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Math.max(min, most.chars);
  if (typeof schema.pattern === "string") {
    // The same regular expression ajv checks with (the u flag, as ajv compiles it).
    return fc.stringMatching(new RegExp(schema.pattern, "u")).filter((s) => s.length >= min && s.length <= max);
  }
  return fc.string({ minLength: min, maxLength: Math.min(max, Math.max(min, most.chars)) });
}

function integerOf(schema: Schema): Arbitrary<number> {
  const min = typeof schema.minimum === "number" ? schema.minimum : -most.integer;
  const max = typeof schema.maximum === "number" ? schema.maximum : most.integer;
  return fc.integer({ min, max });
}

function objectOf(schema: Schema, path: readonly string[], options: ValueOptions): Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const maxKeys = typeof schema.maxProperties === "number" ? Math.min(schema.maxProperties, most.keys) : most.keys;
  const minKeys = typeof schema.minProperties === "number" ? schema.minProperties : 0;
  const additional = schema.additionalProperties;
  if (Object.keys(properties).length === 0) {
    // A map (labels, values of an add-on): string keys, values of the given schema or anything small.
    if (options.sparse === true && minKeys === 0) return fc.constant({});
    const value = typeof additional === "object" && additional !== null ? valueOf(additional as Schema, [...path, "*"], options) : fc.oneof(fc.string({ maxLength: most.chars }), fc.integer(), fc.boolean());
    return fc.dictionary(fc.string({ minLength: 1, maxLength: most.chars }), value, { minKeys, maxKeys: Math.max(minKeys, maxKeys) });
  }
  // An optional field is left out two times in three: bodies stay small, and
  // many pass the apiserver's CEL rules too, so creates succeed as well as fail.
  const fields = Object.entries(properties).map(([key, sub]) => {
    const value = valueOf(sub, [...path, key], options);
    if (required.has(key)) return value;
    if (options.sparse === true) return options.override?.([...path, key]) ?? fc.constant(undefined);
    return fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
  });
  const keys = Object.keys(properties);
  return fc
    .tuple(...fields)
    .map((values) => Object.fromEntries(values.flatMap((v, i) => (v === undefined ? [] : [[keys[i] as string, v]]))))
    .filter((value) => Object.keys(value).length >= minKeys);
}

/**
 * Values valid against `schema` (types, enums, patterns, lengths, ranges,
 * required and closed objects, anyOf, nullable types): what ajv accepts.
 * Rules only kube-apiserver checks (CEL, list-map keys) are not followed,
 * so its 422 may answer; see ValueOptions for overrides and sparse objects.
 */
export function valueOf(schema: Schema, path: readonly string[] = [], options: ValueOptions = {}): Arbitrary<unknown> {
  const chosen = options.override?.(path);
  if (chosen) return chosen;
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as Schema[]).map((branch) => valueOf({ ...schema, anyOf: undefined, ...branch }, path, options)));
  if (schema["x-kubernetes-int-or-string"] === true && schema.type === undefined) return fc.oneof(fc.integer({ min: 0, max: most.integer }), stringOf(schema));
  const choices: Arbitrary<unknown>[] = types(schema).map((type) => {
    switch (type) {
      case "object":
        return objectOf(schema, path, options);
      case "array":
        return fc.array(valueOf((schema.items ?? {}) as Schema, [...path, "[]"], options), {
          minLength: typeof schema.minItems === "number" ? schema.minItems : 0,
          maxLength: typeof schema.maxItems === "number" ? Math.min(schema.maxItems, most.items) : most.items,
        });
      case "string":
        return stringOf(schema);
      case "integer":
        return integerOf(schema);
      case "number":
        return integerOf(schema);
      case "boolean":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      default:
        return fc.constant("x");
    }
  });
  if (choices.length === 0) return fc.oneof(fc.string({ maxLength: most.chars }), fc.integer(), fc.boolean());
  return choices.length === 1 ? (choices[0] as Arbitrary<unknown>) : fc.oneof(...choices);
}
