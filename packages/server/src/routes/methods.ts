/**
 * The methods each route path has, to answer a method a known path does
 * not have with 405 and an Allow header (RFC 9110 §15.5.6) instead of a
 * 404 that would say the path does not exist.
 */
export class RouteMethods {
  private readonly byPattern = new Map<string, Set<string>>();

  /** Records a route as fastify declares it (`/api/v1/projects/:project`, one method or several). */
  add(method: string | readonly string[], url: string): void {
    const methods = this.byPattern.get(url) ?? new Set<string>();
    for (const m of typeof method === "string" ? [method] : method) methods.add(m.toUpperCase());
    // A GET route answers HEAD too (fastify's exposeHeadRoutes).
    if (methods.has("GET")) methods.add("HEAD");
    this.byPattern.set(url, methods);
  }

  /** The methods of the route paths `path` (no query string) matches, sorted; empty for an unknown path. */
  allowed(path: string): string[] {
    const found = new Set<string>();
    for (const [pattern, methods] of this.byPattern) {
      if (matches(pattern, path)) for (const m of methods) found.add(m);
    }
    return [...found].sort();
  }
}

/** Whether a path fits a route pattern segment by segment (a `:param` takes any one segment, as fastify's router does). */
export function matches(pattern: string, path: string): boolean {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return false;
  return want.every((segment, i) => segment.startsWith(":") || segment === got[i]);
}
