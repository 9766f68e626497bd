import { X509Certificate } from "node:crypto";

// The decisions of the CA refresh, pure: when to read the API, whether to
// rewrite the file, whether a session serves the platform the CA came from.

/** How often `seedbed token` reads a cluster's CA at most: kubectl runs it for each new process, often several a second. */
export const caCheckIntervalMs = 60_000;

/** How long the plugin waits for the management API before it gives up and leaves the CA file as it is. */
export const caReadTimeoutMs = 2_000;

/**
 * Whether the CA is due for a check: the last one (or the hand-out) was
 * at least `intervalMs` ago. A time in the future by more than that (a
 * clock set back) or one that does not parse counts as due, so a check
 * can never be put off for good.
 */
export function checkDue(checkedAt: string, now: Date, intervalMs: number = caCheckIntervalMs): boolean {
  const last = Date.parse(checkedAt);
  if (Number.isNaN(last)) return true;
  const elapsed = now.getTime() - last;
  return elapsed >= intervalMs || elapsed < -intervalMs;
}

/** What to do with the CA file, given its content and the cluster's status.certificateAuthority. */
export type CARefresh =
  | { readonly action: "keep"; readonly reason: "same" | "no-bundle" | "not-certificates" }
  | { readonly action: "write"; readonly pem: string };

/**
 * The certificates of a PEM bundle, each on its own lines and ending in a
 * newline (Go's PEM reader, which kubectl uses, cannot read two blocks
 * run together on one line); undefined when it holds no certificate or
 * one that does not parse.
 */
export function certificateBundle(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return undefined;
  try {
    for (const block of blocks) new X509Certificate(block);
  } catch {
    return undefined;
  }
  return blocks.map((block) => `${block}\n`).join("");
}

/**
 * Rewrite the file only when the cluster's bundle differs from it, and
 * only with something that is certificates: an empty or broken status
 * never replaces a CA that works.
 */
export function planCARefresh(current: string | undefined, bundle: string | undefined): CARefresh {
  if (bundle === undefined || bundle.trim() === "") return { action: "keep", reason: "no-bundle" };
  const pem = certificateBundle(bundle);
  if (pem === undefined) return { action: "keep", reason: "not-certificates" };
  if (pem === current) return { action: "keep", reason: "same" };
  return { action: "write", pem };
}

/** Whether two management API URLs are the same endpoint (scheme, host, port and path; a trailing slash or default port aside). */
export function sameServer(a: string, b: string): boolean {
  const normal = (server: string): string => {
    try {
      const url = new URL(server);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`.toLowerCase();
    } catch {
      return server;
    }
  };
  return normal(a) === normal(b);
}
