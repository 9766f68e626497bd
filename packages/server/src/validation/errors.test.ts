import { describe, expect, it } from "vitest";
import { requestError, validationError } from "./errors.ts";

describe("validationError", () => {
  it.each([
    ["a bound", { keyword: "maximum", instancePath: "/spec/controlPlane/replicas", schemaPath: "", params: { limit: 5 }, message: "must be <= 5" }, "body/spec/controlPlane/replicas must be <= 5", "spec.controlPlane.replicas"],
    ["an unknown field", { keyword: "additionalProperties", instancePath: "/spec", schemaPath: "", params: { additionalProperty: "replica" }, message: "must NOT have additional properties" }, "body/spec/replica is not a known field", "spec.replica"],
    ["a missing field", { keyword: "required", instancePath: "", schemaPath: "", params: { missingProperty: "spec" }, message: "must have required property 'spec'" }, "body/spec is required", "spec"],
    ["an enum", { keyword: "enum", instancePath: "/spec/cni", schemaPath: "", params: { allowedValues: ["calico", "none", null] }, message: "must be equal to one of the allowed values" }, 'body/spec/cni must be one of "calico", "none"', "spec.cni"],
    ["an escaped pointer", { keyword: "type", instancePath: "/metadata/labels/a~1b", schemaPath: "", params: {}, message: "must be string" }, "body/metadata/labels/a~1b must be string", "metadata.labels.a/b"],
  ])("names the field of %s", (_what, error, message, field) => {
    expect(validationError([error], "body").toBody().error).toEqual({ status: 400, reason: "BadRequest", message, field });
  });

  it("prefixes fields outside the body with their part", () => {
    const error = { keyword: "maxLength", instancePath: "/cluster", schemaPath: "", params: {}, message: "must NOT have more than 30 characters" };
    expect(validationError([error], "params").field).toBe("params.cluster");
  });
});

describe("requestError", () => {
  it.each([
    ["FST_ERR_CTP_INVALID_JSON_BODY", 400, "request body is not valid JSON"],
    ["FST_ERR_CTP_BODY_TOO_LARGE", 413, "request body is larger than the limit of 64 KiB"],
    ["FST_ERR_CTP_INVALID_MEDIA_TYPE", 415, expect.stringContaining("must be JSON") as unknown],
  ])("words %s", (code, status, message) => {
    expect(requestError({ code })?.toBody().error).toMatchObject({ status, message });
  });

  it("leaves other errors alone", () => {
    expect(requestError({ code: "SOMETHING_ELSE" })).toBeUndefined();
  });
});
