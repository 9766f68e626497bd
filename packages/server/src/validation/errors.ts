import type { FastifySchemaValidationError } from "fastify";
import { HttpError } from "../errors.ts";

/** The size limit of a request body. */
export const bodyLimitBytes = 64 * 1024;

/** A dotted field path from a JSON pointer (/spec/controlPlane/replicas → spec.controlPlane.replicas). */
function dotted(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
}

/** Patterns longer than this are not quoted in messages. */
const longPattern = 200;

/** What ajv found, as a sentence that names the field and what it must be. */
function sentence(error: FastifySchemaValidationError, where: string): { message: string; pointer: string } {
  const params = error.params;
  if (error.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
    const pointer = `${error.instancePath}/${params.additionalProperty}`;
    return { message: `${where}${pointer} is not a known field`, pointer };
  }
  if (error.keyword === "required" && typeof params.missingProperty === "string") {
    const pointer = `${error.instancePath}/${params.missingProperty}`;
    return { message: `${where}${pointer} is required`, pointer };
  }
  if (error.keyword === "enum" && Array.isArray(params.allowedValues)) {
    const allowed = params.allowedValues.filter((v) => v !== null).map((v) => JSON.stringify(v)).join(", ");
    return { message: `${where}${error.instancePath} must be one of ${allowed}`, pointer: error.instancePath };
  }
  // A long pattern (a label selector's) would drown the message: the parameter's description in /openapi.json gives the form.
  if (error.keyword === "pattern" && typeof params.pattern === "string" && params.pattern.length > longPattern) {
    return { message: `${where}${error.instancePath} does not have the form its description in /openapi.json gives`, pointer: error.instancePath };
  }
  return { message: `${where}${error.instancePath} ${error.message ?? "is invalid"}`, pointer: error.instancePath };
}

/**
 * A request that failed schema validation, as a 400 naming the field:
 * `body/spec/controlPlane/replicas must be <= 5`, field
 * `spec.controlPlane.replicas` (body fields are named as in the object;
 * others with their part, e.g. `params.cluster`).
 */
export function validationError(errors: readonly FastifySchemaValidationError[], context: string | undefined): HttpError {
  const first = errors[0];
  const part = context ?? "request";
  if (!first) return new HttpError(400, "BadRequest", `the ${part} is invalid`);
  const { message, pointer } = sentence(first, part);
  const path = dotted(pointer);
  const field = part === "body" ? path : [part, path].filter((p) => p !== "").join(".");
  return new HttpError(400, "BadRequest", message, field === "" ? undefined : field);
}

/** Errors fastify raises before a handler runs, worded for the caller; undefined for others. */
export function requestError(error: { code?: string; statusCode?: number }): HttpError | undefined {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new HttpError(400, "BadRequest", "request body is not valid JSON");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HttpError(400, "BadRequest", "request body is empty; send a JSON object");
    case "FST_ERR_BAD_URL":
      return new HttpError(400, "BadRequest", "the URL is malformed: a path segment has an invalid %-escape");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HttpError(413, "RequestEntityTooLarge", `request body is larger than the limit of ${bodyLimitBytes / 1024} KiB`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new HttpError(415, "UnsupportedMediaType", "request body must be JSON (application/json, or application/merge-patch+json for PATCH)");
    default:
      return undefined;
  }
}
