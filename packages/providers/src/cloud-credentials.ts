/**
 * Shared reading of a cloud credentials Secret: one JSON object in one key.
 * Errors name the Secret's field and say how to fix it, because whoever
 * reads them is looking at `kubectl describe nodepool`, not at this code.
 */

/** The parsed JSON object, or an Error that says what the Secret should hold. */
export function credentialsObject(text: string, cloud: string, example: string): Readonly<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${cloud} credentials are not valid JSON (${reason}); the Secret key must hold an object such as ${example}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${cloud} credentials must be a JSON object such as ${example}`);
  }
  return parsed as Readonly<Record<string, unknown>>;
}

/** A required, non-empty string field. */
export function requiredString(object: Readonly<Record<string, unknown>>, field: string, cloud: string, hint: string): string {
  const value = object[field];
  if (value === undefined || value === null) {
    throw new Error(`${cloud} credentials lack "${field}": add it to the Secret's JSON (${hint})`);
  }
  if (typeof value !== "string" || value.trim() === "") {
    throw new Error(`${cloud} credentials field "${field}" must be a non-empty string (${hint})`);
  }
  return value;
}

/** An optional string field: undefined when absent, an Error when present but not a non-empty string. */
export function optionalString(object: Readonly<Record<string, unknown>>, field: string, cloud: string, hint: string): string | undefined {
  if (object[field] === undefined || object[field] === null) return undefined;
  return requiredString(object, field, cloud, hint);
}

/** An optional http(s) URL field, checked so a typo fails here and not at the first request. */
export function optionalUrl(object: Readonly<Record<string, unknown>>, field: string, cloud: string, hint: string): string | undefined {
  const value = optionalString(object, field, cloud, hint);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${cloud} credentials field "${field}" is not a URL: ${JSON.stringify(value)} (${hint})`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`${cloud} credentials field "${field}" must be an http(s) URL, not ${url.protocol} (${hint})`);
  }
  return value;
}
