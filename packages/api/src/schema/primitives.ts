import Type, { type TSchema, type TUnsafe } from "typebox";

/** A rule checked by kube-apiserver at admission (a CRD `x-kubernetes-validations` entry). */
export interface ValidationRule {
  readonly rule: string;
  /** What is wrong and what is allowed; shown to the user after the field path. */
  readonly message?: string;
  /** A CEL expression building the message, for messages that quote the value. */
  readonly messageExpression?: string;
  /** The field the error is reported on, relative to the schema the rule sits on (e.g. ".metadata.name"). */
  readonly fieldPath?: string;
  readonly reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
  /** Evaluate on create too, with `oldSelf` an optional (`oldSelf.hasValue()` is false on create). */
  readonly optionalOldSelf?: boolean;
}

/** Schema options Seedbed uses, besides JSON Schema's own. */
export interface SchemaOptions {
  readonly description?: string;
  readonly default?: unknown;
  readonly "x-kubernetes-validations"?: readonly ValidationRule[];
}

/** A string limited to the given values (`type: string` + `enum`, which CRDs need and Type.Enum omits). */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });
}

/** A map of strings (labels, annotations, selectors) as `additionalProperties`, which CRDs allow; patternProperties they do not. */
export function StringMap(options: SchemaOptions & { maxProperties?: number } = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ type: "object", additionalProperties: { type: "string" }, ...options });
}

/** A Kubernetes quantity ("2", "500m", "4Gi"): integer or string, validated by CEL's quantity library. */
export function Quantity(options: SchemaOptions = {}): TUnsafe<string | number> {
  return Type.Unsafe<string | number>({
    "x-kubernetes-int-or-string": true,
    anyOf: [{ type: "integer" }, { type: "string" }],
    pattern: "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
    ...options,
  });
}

/** Any JSON object kept as written (Helm values, embedded manifests). */
export function FreeForm(options: SchemaOptions & { embeddedResource?: boolean } = {}): TUnsafe<Record<string, unknown>> {
  const { embeddedResource, ...rest } = options;
  return Type.Unsafe<Record<string, unknown>>({
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
    ...(embeddedResource === true ? { "x-kubernetes-embedded-resource": true } : {}),
    ...rest,
  });
}

/** A list whose items are identified by some of their fields (`x-kubernetes-list-type: map`), so server-side apply merges by key. */
export function MapList<T extends TSchema>(item: T, keys: readonly string[], options: SchemaOptions & { maxItems?: number } = {}): ReturnType<typeof Type.Array<T>> {
  return Type.Array(item, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": [...keys], ...options });
}

/** A duration as Go writes it ("30s", "5m", "1h30m"). */
export function Duration(options: SchemaOptions = {}): ReturnType<typeof Type.String> {
  return Type.String({
    pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$",
    maxLength: 32,
    ...options,
  });
}
