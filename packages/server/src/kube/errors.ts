import { ApiException } from "@kubernetes/client-node";
import { HttpError, reasonFor } from "../errors.ts";

/** The parts of a Kubernetes Status we pass on. */
interface KubeStatus {
  message?: unknown;
  reason?: unknown;
  details?: { causes?: { field?: unknown; message?: unknown }[] };
}

/**
 * Turns a failed call to the management API into the error the caller
 * sees. Client errors (401, 403, 404, 409, 422, …) keep their status and
 * the apiserver's own message, which names the field for schema, CEL and
 * quota failures; the first cause's field is given as `field`. Server
 * errors become 502, and an unreachable apiserver 502 too: the fault is
 * not the caller's, nor this server's. Any other error is returned as it
 * is (a fault of ours: a 500).
 */
export function fromKubeError(error: unknown): Error {
  if (error instanceof HttpError) return error;
  if (error instanceof ApiException) return fromStatus(error.code, parseStatus(error.body));
  // client-node's Watch reports a refused watch as an Error with statusCode.
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) {
    return new HttpError(statusCode, reasonFor(statusCode), error instanceof Error ? error.message : reasonFor(statusCode));
  }
  // fetch reports a refused connection as "fetch failed", with the reason in `cause`.
  if (error instanceof TypeError && error.message === "fetch failed") {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return new HttpError(502, "BadGateway", `the management API could not be reached${cause}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The error of a Status the apiserver answered with `code`. */
function fromStatus(code: number, status: KubeStatus): HttpError {
  const message = nonEmpty(status.message) ?? `the management API answered HTTP ${code}`;
  if (code >= 500 || code < 400) return new HttpError(502, "BadGateway", `the management API failed: ${message}`);
  const field = status.details?.causes?.map((c) => nonEmpty(c.field)).find((f) => f !== undefined);
  return new HttpError(code, nonEmpty(status.reason) ?? reasonFor(code), message, field);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function parseStatus(body: unknown): KubeStatus {
  if (typeof body === "string") {
    try {
      const parsed: unknown = JSON.parse(body);
      return parsed !== null && typeof parsed === "object" ? parsed : {};
    } catch {
      return { message: body.slice(0, 1000) };
    }
  }
  return body !== null && typeof body === "object" ? body : {};
}

/** Runs a request to the management API, its failure turned into the REST API's error (fromKubeError). */
export async function kubeCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw fromKubeError(error);
  }
}
