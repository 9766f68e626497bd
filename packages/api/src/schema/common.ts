import Type, { type TProperties, type TSchema } from "typebox";
import { dns1123LabelPattern } from "./names.ts";
import { MapList, StringEnum, StringMap } from "./primitives.ts";

/** metav1.Condition, as Kubernetes' own APIs define it. */
export const Condition = Type.Object({
  type: Type.String({ maxLength: 316, pattern: "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$" }),
  status: StringEnum(["True", "False", "Unknown"]),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64" })),
  lastTransitionTime: Type.String({ format: "date-time" }),
  reason: Type.String({ minLength: 1, maxLength: 1024, pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$" }),
  message: Type.String({ maxLength: 32768 }),
});
/** A standard condition. */
export type Condition = Type.Static<typeof Condition>;

/** The status fields every Seedbed kind shares, plus the kind's own. */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- callers need TypeBox's inferred type, which is unwieldy to spell out
export function StatusOf<P extends TProperties, const Phases extends readonly string[]>(phases: Phases, properties: P) {
  return Type.Object({
    /** The generation the controller last finished a pass for without error. */
    observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64", description: "The metadata.generation the controller last reconciled without error." })),
    phase: Type.Optional(StringEnum(phases, { description: "A one-word summary for humans; conditions carry the detail." })),
    conditions: Type.Optional(MapList(Condition, ["type"], { maxItems: 32, description: "Standard conditions; Ready summarises the others." })),
    ...properties,
  });
}

/** A reference to an object in the same namespace, by name. */
export const LocalObjectReference = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 253 }),
});

/** A key of a Secret. */
export const SecretKeyReference = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 253, description: "The Secret's name." }),
  namespace: Type.Optional(Type.String({ maxLength: 63, pattern: dns1123LabelPattern, description: "The Secret's namespace; defaults to the object's own (required for cluster-scoped objects)." })),
  key: Type.String({ minLength: 1, maxLength: 253, default: "value", description: "The key in the Secret's data." }),
});

/** metav1.LabelSelector. */
export const LabelSelector = Type.Object({
  matchLabels: Type.Optional(StringMap()),
  matchExpressions: Type.Optional(
    Type.Array(
      Type.Object({
        key: Type.String({ minLength: 1, maxLength: 317 }),
        operator: StringEnum(["In", "NotIn", "Exists", "DoesNotExist"]),
        values: Type.Optional(Type.Array(Type.String({ maxLength: 63 }), { maxItems: 64 })),
      }, {
        "x-kubernetes-validations": [
          { rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0", message: "In and NotIn need at least one value; Exists and DoesNotExist take none" },
        ],
      }),
      { maxItems: 32 },
    ),
  ),
});
/** A label selector. */
export type LabelSelector = Type.Static<typeof LabelSelector>;

/** Adds a description to a schema without changing its type. */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}
