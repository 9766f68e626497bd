/** The JSON body of every error response: `{ error: { status, reason, message, field? } }`. */
export interface ErrorBody {
  readonly error: {
    readonly status: number;
    /** A CamelCase word, as Kubernetes' Status.reason (NotFound, Forbidden, Invalid, …). */
    readonly reason: string;
    readonly message: string;
    /** The field at fault, as a dotted path (spec.controlPlane.replicas), when one is known. */
    readonly field?: string;
  };
}

/** An error that becomes an HTTP response of its own status (never a 500). */
export class HttpError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly field: string | undefined;

  /** An error answered with `status`, `reason` and `message` (and the faulty `field`). */
  constructor(status: number, reason: string, message: string, field?: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.reason = reason;
    this.field = field;
  }

  /** The response body. */
  toBody(): ErrorBody {
    return { error: { status: this.status, reason: this.reason, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) } };
  }
}

/** The reason Kubernetes gives for a status code, for errors we raise ourselves. */
export function reasonFor(status: number): string {
  return reasons[status] ?? (status >= 500 ? "InternalError" : "BadRequest");
}

const reasons: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  410: "Expired",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  501: "NotImplemented",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "Timeout",
};
