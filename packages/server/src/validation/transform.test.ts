import { describe, expect, it } from "vitest";
import { closed, mergePatchOf } from "./transform.ts";

describe("closed", () => {
  it.each([
    ["an object with properties", { type: "object", properties: { a: { type: "string" } } }, { type: "object", properties: { a: { type: "string" } }, additionalProperties: false }],
    ["a map, left open", { type: "object", additionalProperties: { type: "string" } }, { type: "object", additionalProperties: { type: "string" } }],
    ["a free-form object, left open", { type: "object", properties: {}, "x-kubernetes-preserve-unknown-fields": true }, { type: "object", properties: {}, "x-kubernetes-preserve-unknown-fields": true }],
    ["objects in lists", { type: "array", items: { type: "object", properties: { n: { type: "integer" } } } }, { type: "array", items: { type: "object", properties: { n: { type: "integer" } }, additionalProperties: false } }],
  ])("closes %s to unknown fields", (_what, schema, expected) => {
    expect(closed(schema)).toEqual(expected);
  });

  it("reaches nested objects", () => {
    const schema = { type: "object", properties: { spec: { type: "object", properties: { cp: { type: "object", properties: { replicas: { type: "integer" } } } } } } };
    const out = closed(schema) as { properties: { spec: { properties: { cp: { additionalProperties: unknown } } } } };
    expect(out.properties.spec.properties.cp.additionalProperties).toBe(false);
  });
});

describe("mergePatchOf", () => {
  const spec = {
    type: "object",
    required: ["replicas"],
    properties: {
      replicas: { type: "integer", minimum: 1, maximum: 5, default: 1 },
      cni: { type: "string", enum: ["calico", "none"], default: "calico" },
      storage: { anyOf: [{ type: "integer" }, { type: "string" }], "x-kubernetes-int-or-string": true },
      labels: { type: "object", additionalProperties: { type: "string" } },
      addons: { type: "array", items: { type: "object", required: ["name"], properties: { name: { type: "string" } } } },
    },
  };

  it("makes every field optional and nullable, and drops defaults", () => {
    const patch = mergePatchOf(spec) as { required?: unknown; properties: Record<string, Record<string, unknown>> };
    expect(patch.required).toBeUndefined();
    expect(patch.properties.replicas).toEqual({ type: ["integer", "null"], minimum: 1, maximum: 5 });
    expect(patch.properties.cni).toEqual({ type: ["string", "null"], enum: ["calico", "none", null] });
    expect(patch.properties.storage?.anyOf).toEqual([{ type: "integer" }, { type: "string" }, { type: "null" }]);
    expect(patch.properties.labels).toEqual({ type: ["object", "null"], additionalProperties: { type: ["string", "null"] } });
  });

  it("keeps the full schema of list items, since a patch replaces a list whole", () => {
    const patch = mergePatchOf(spec) as { properties: { addons: { type: unknown; items: unknown } } };
    expect(patch.properties.addons.type).toEqual(["array", "null"]);
    expect(patch.properties.addons.items).toEqual(spec.properties.addons.items);
  });
});
