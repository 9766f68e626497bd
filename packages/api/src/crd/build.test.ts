import Type from "typebox";
import { describe, expect, it } from "vitest";
import { StringEnum, StringMap } from "../schema/primitives.ts";
import { allKinds } from "../kinds.ts";
import { buildCRD, toStructural } from "./build.ts";

describe("toStructural", () => {
  it("drops required for properties that have defaults, keeps it for the rest", () => {
    const schema = toStructural(Type.Object({ a: Type.String(), b: Type.Integer({ default: 1 }), c: Type.Optional(Type.String()) }));
    expect(schema.required).toEqual(["a"]);
    expect(toStructural(Type.Object({ b: Type.Integer({ default: 1 }) })).required).toBeUndefined();
  });

  it("gives enums a type and maps additionalProperties, which CRDs need", () => {
    expect(toStructural(StringEnum(["x", "y"]))).toEqual({ enum: ["x", "y"], type: "string" });
    expect(toStructural(StringMap())).toEqual({ additionalProperties: { type: "string" }, type: "object" });
  });

  it("keeps CEL rules and drops keys CRDs refuse", () => {
    const schema = toStructural({ type: "string", $id: "x", examples: ["a"], "x-kubernetes-validations": [{ rule: "self != ''" }] });
    expect(schema).toEqual({ type: "string", "x-kubernetes-validations": [{ rule: "self != ''" }] });
  });

  it("is stable: the same definitions give byte-identical CRDs", () => {
    expect(JSON.stringify(allKinds.map(buildCRD))).toBe(JSON.stringify(allKinds.map(buildCRD)));
  });
});

describe("the CRDs", () => {
  it.each(allKinds.map((k) => [k.kind, k] as const))("%s has a status subresource, short names and printer columns ending in Age", (_kind, def) => {
    const crd = buildCRD(def);
    const version = (crd.spec.versions as { subresources: unknown; additionalPrinterColumns: { name: string }[] }[])[0];
    expect(version?.subresources).toEqual({ status: {} });
    expect(def.shortNames.length).toBeGreaterThan(0);
    expect(version?.additionalPrinterColumns.at(-1)?.name).toBe("Age");
  });
});
