import { isIP } from "node:net";

/** Where and how the server would listen. */
export interface ListenPlan {
  readonly host: string;
  /** Serves HTTPS. */
  readonly tls: boolean;
  /** The operator said plain HTTP off loopback is fine (TLS ends in front: an Ingress, a mesh). */
  readonly insecureHTTP: boolean;
}

/**
 * Whether `host` only ever takes connections from this machine: 127.0.0.0/8,
 * ::1 (also as ::ffff:127.x.y.z) or the name localhost. Any other name may
 * resolve to a routable address, so it counts as reachable from elsewhere.
 */
export function isLoopback(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) {
    const lower = bare.toLowerCase();
    return lower === "::1" || lower === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(lower);
  }
  return false;
}

/** How to fix a refused plan, in the words of the caller's interface (options of `startServer` by default). */
export const libraryFixes = "pass tls (a certificate and key), listen on loopback (host 127.0.0.1), or set insecureHTTP only when TLS ends in front of the server (an Ingress, a service mesh)";

/**
 * Why the server must not listen as planned, or undefined when it may:
 * callers send bearer tokens, so plain HTTP is only for loopback unless
 * the operator says TLS ends in front of the server. `fixes` says what to
 * do, named as the caller knows it (flags for the CLI).
 */
export function listenRefusal(plan: ListenPlan, fixes: string = libraryFixes): string | undefined {
  if (plan.tls || plan.insecureHTTP || isLoopback(plan.host)) return undefined;
  return `refusing to serve plain HTTP on ${plan.host}: callers' bearer tokens would cross the network in clear; ${fixes}`;
}
