/**
 * Narrowing of the untyped JSON the OpenStack APIs answer. A reply that
 * lacks a field we rely on is an error that names the field, rather than an
 * undefined that surfaces three calls later.
 */

/** A JSON object, viewed as a record of unknown values. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** `value` as an object, or an Error naming `what`. */
export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`unexpected OpenStack reply: ${what} is not an object`);
  }
  return value as JsonObject;
}

/** `value` as an array, or an Error naming `what`. */
export function asArray(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new Error(`unexpected OpenStack reply: ${what} is not an array`);
  return value;
}

/** `value` as a string, or an Error naming `what`. */
export function asString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`unexpected OpenStack reply: ${what} is not a string`);
  return value;
}

/** `value` as a string, or undefined when it is absent or null. */
export function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined || value === null ? undefined : asString(value, what);
}

/** A record of string values (server metadata); non-string values are dropped. */
export function asStringMap(value: unknown, what: string): Readonly<Record<string, string>> {
  if (value === undefined || value === null) return {};
  const entries = Object.entries(asObject(value, what)).filter((e): e is [string, string] => typeof e[1] === "string");
  return Object.fromEntries(entries);
}
