import type { FastifyServerOptions } from "fastify";

type AjvConfig = NonNullable<FastifyServerOptions["ajv"]>;
type AjvPlugin = Extract<NonNullable<AjvConfig["plugins"]>[number], (...args: never[]) => unknown>;
type Ajv = Parameters<AjvPlugin>[0];

/** Keywords of CRD schemas that carry no JSON Schema meaning for ajv (CEL rules, list and map semantics). */
const kubernetesKeywords = [
  "x-kubernetes-validations",
  "x-kubernetes-int-or-string",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
];

/**
 * How fastify's ajv checks requests. We validate with ajv, not TypeBox's
 * compiler: the bodies are the CRDs' structural schemas (plain JSON Schema
 * built from @seedbed/api's TypeBox 1.x types), which ajv checks as
 * kube-apiserver does, and fastify words ajv's errors as
 * `body/spec/controlPlane/replicas must be <= 5`. TypeBox still types the
 * handlers through @fastify/type-provider-typebox 6, which is built on
 * `typebox` 1.x, the same package @seedbed/api uses (the 4.x/5.x providers
 * wanted @sinclair/typebox 0.3x, whose schemas are not interchangeable).
 *
 * Unlike fastify's defaults: no type coercion ("3" is not a number of
 * replicas), no defaults filled in (the apiserver does that, and in a
 * merge patch a default would overwrite the stored value), no silent
 * removal of unknown fields (they are rejected by name instead).
 */
export const ajvOptions: AjvConfig = {
  customOptions: {
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
    allErrors: false,
    allowUnionTypes: true,
    // Quantity's pattern sits beside anyOf, as the CRD has it.
    strictTypes: false,
  },
  plugins: [
    (ajv: Ajv): Ajv => {
      for (const keyword of kubernetesKeywords) ajv.addKeyword(keyword);
      return ajv;
    },
  ],
};
