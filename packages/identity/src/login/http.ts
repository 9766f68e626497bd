import { Agent, fetch as undiciFetch } from "undici";

/** A fetch function, as openid-client's customFetch and the form driver call it. */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * A fetch that trusts `caPEM` (in addition to nothing else) for https, so
 * the login flows work against an issuer with a private CA without touching
 * the process-wide trust store. Without a CA the system roots are used.
 * undici's own fetch is used with its own Agent: mixing an npm undici Agent
 * with Node's bundled fetch breaks when their versions differ.
 */
export function fetchTrusting(caPEM: string | undefined): Fetch {
  const dispatcher = caPEM === undefined ? undefined : new Agent({ connect: { ca: caPEM } });
  return (url, init) => undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
}
