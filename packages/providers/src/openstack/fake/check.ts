/**
 * Test support: how the fake OpenStack tells a request that breaks the
 * documented API (a Violation, answered 400 and recorded for the test to
 * assert on) from a well-formed request the cloud refuses (an ApiError,
 * answered as the real service would).
 */

/** A request the real API would not accept, or that this provider must never send. */
export class Violation extends Error {}

/** An error the real service answers with, in its own body shape. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    super(`API error ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** Nova's error body: {"<kind>": {"code": …, "message": …}}. */
export function novaError(status: number, kind: string, message: string): ApiError {
  return new ApiError(status, { [kind]: { code: status, message } });
}

/** What keystonemiddleware answers a missing, expired or revoked token with. */
export function unauthorized(): ApiError {
  return new ApiError(401, { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } });
}

/** `value` as an object, or a Violation naming `what`. */
export function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Violation(`${what} must be an object`);
  return value as Record<string, unknown>;
}

/** `value` as a string within `max` characters, or a Violation. */
export function string(value: unknown, what: string, max = 255): string {
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw new Violation(`${what} must be a string of 1-${max} characters, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` as an array, or a Violation. */
export function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Violation(`${what} must be an array`);
  return value as unknown[];
}

/** A Violation if `o` has keys outside `allowed` (Nova's schemas say additionalProperties: false). */
export function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new Violation(`${what} has properties the API does not define: ${extra.join(", ")}`);
}

/** Strict base64 (RFC 4648 alphabet, padded), as Nova's "format: base64" checks it. */
export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}
