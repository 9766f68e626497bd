import { HttpError } from "../errors.ts";

/**
 * The bearer token of an Authorization header, or a 401 naming what is
 * wrong. Checked before any call to Kubernetes, so an anonymous request
 * never reaches it (not even as system:anonymous).
 */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header === "") throw new HttpError(401, "Unauthorized", "missing Authorization header: send Authorization: Bearer <token>");
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  if (!match?.[1]) throw new HttpError(401, "Unauthorized", "the Authorization header must be Bearer <token>");
  return match[1];
}
