import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { HttpError } from "../errors.ts";
import { fromKubeError } from "./errors.ts";

const status = (code: number, reason: string, message: string, causes?: object[]): ApiException<string> =>
  new ApiException(code, "Unsuccessful HTTP Request", JSON.stringify({ kind: "Status", status: "Failure", code, reason, message, ...(causes ? { details: { causes } } : {}) }), {});

describe("fromKubeError", () => {
  it.each([401, 403, 404, 409])("passes on a %i with the apiserver's reason and message", (code) => {
    const error = fromKubeError(status(code, "Because", `message ${code}`));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).toBody()).toEqual({ error: { status: code, reason: "Because", message: `message ${code}` } });
  });

  it("names the field of a 422 from its first cause", () => {
    const message = 'Cluster.seedbed.dev "x" is invalid: spec.controlPlane.datastore.members: Invalid value: 2: must be 1, 3 or 5';
    const error = fromKubeError(status(422, "Invalid", message, [{ reason: "FieldValueInvalid", field: "spec.controlPlane.datastore.members" }])) as HttpError;
    expect(error.toBody().error).toEqual({ status: 422, reason: "Invalid", message, field: "spec.controlPlane.datastore.members" });
  });

  it("turns the apiserver's own failures and an unreachable apiserver into 502", () => {
    expect((fromKubeError(status(500, "InternalError", "etcd down")) as HttpError).status).toBe(502);
    const refused = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:6443") });
    expect((fromKubeError(refused) as HttpError).toBody().error).toMatchObject({ status: 502, message: "the management API could not be reached: connect ECONNREFUSED 127.0.0.1:6443" });
  });

  it("passes on a refused watch's status code", () => {
    expect((fromKubeError(Object.assign(new Error("Forbidden"), { statusCode: 403 })) as HttpError).status).toBe(403);
  });

  it("leaves errors of our own as they are", () => {
    const bug = new RangeError("oops");
    expect(fromKubeError(bug)).toBe(bug);
  });
});
