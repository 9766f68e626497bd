import type { Clock } from "@seedbed/runtime";
import type { OpenStackCredentials } from "./credentials.ts";
import { sendJson, type HttpOptions } from "./http.ts";
import { asArray, asObject, asString, optionalString } from "./json.ts";

/** The services of the catalog this provider calls. */
export type ServiceType = "compute" | "network" | "image";

/** A scoped token and the public endpoints of the credentials' region. */
interface Auth {
  readonly token: string;
  readonly expiresAt: number;
  readonly renewAt: number;
  readonly endpoints: ReadonlyMap<string, string>;
}

/** Renew this long before expiry, so that a request in flight never carries a token that expires under it. */
const renewMarginMs = 5 * 60_000;

/**
 * A Keystone v3 session: password auth scoped to the project, the token
 * reused until shortly before its expires_at, and the endpoints taken from
 * the catalog that comes with it (so no endpoint is configured by hand).
 */
export class KeystoneSession {
  readonly #credentials: OpenStackCredentials;
  readonly #http: HttpOptions;
  readonly #clock: Clock;
  #auth: Auth | undefined;
  /** The authentication in flight, shared by concurrent callers so they cause one POST. */
  #pending: Promise<Auth> | undefined;

  constructor(credentials: OpenStackCredentials, http: HttpOptions, clock: Clock) {
    this.#credentials = credentials;
    this.#http = http;
    this.#clock = clock;
  }

  /** A valid token and the URL of `service` in the credentials' region. */
  async access(service: ServiceType): Promise<{ token: string; endpoint: string }> {
    const auth = await this.#current();
    const endpoint = auth.endpoints.get(service);
    if (endpoint === undefined) {
      throw new Error(`OpenStack: the catalog of project "${this.#credentials.projectName}" has no public ${service} endpoint in region "${this.#credentials.region}"; check the credentials' region`);
    }
    return { token: auth.token, endpoint };
  }

  /** Forgets `token` after an API refused it (revoked, or the cloud's clock differs), so the next call authenticates again. */
  invalidate(token: string): void {
    if (this.#auth?.token === token) this.#auth = undefined;
  }

  async #current(): Promise<Auth> {
    if (this.#auth !== undefined && this.#clock.now() < this.#auth.renewAt) return this.#auth;
    this.#pending ??= this.#authenticate().finally(() => {
      this.#pending = undefined;
    });
    const auth = await this.#pending;
    this.#auth = auth;
    return auth;
  }

  async #authenticate(): Promise<Auth> {
    const c = this.#credentials;
    const issuedAt = this.#clock.now();
    const reply = await sendJson(this.#http, "authentication", {
      method: "POST",
      url: `${c.authURL.replace(/\/+$/, "").replace(/\/v3$/, "")}/v3/auth/tokens`,
      body: {
        auth: {
          identity: { methods: ["password"], password: { user: { name: c.username, domain: { name: c.userDomainName }, password: c.password } } },
          scope: { project: { name: c.projectName, domain: { name: c.projectDomainName } } },
        },
      },
    });
    const token = reply.headers.get("X-Subject-Token");
    if (token === null || token === "") throw new Error("OpenStack authentication: Keystone's reply has no X-Subject-Token header");
    const body = asObject(asObject(reply.body, "the token reply").token, "token");
    const expiresAt = Date.parse(asString(body.expires_at, "token.expires_at"));
    if (Number.isNaN(expiresAt)) throw new Error("OpenStack authentication: token.expires_at is not a time");
    // Tokens shorter-lived than twice the margin are renewed halfway instead.
    const margin = Math.min(renewMarginMs, (expiresAt - issuedAt) / 2);
    return { token, expiresAt, renewAt: expiresAt - margin, endpoints: publicEndpoints(body.catalog, c.region) };
  }
}

/** The public URL of each service type of the catalog, in `region`. */
function publicEndpoints(catalog: unknown, region: string): ReadonlyMap<string, string> {
  const endpoints = new Map<string, string>();
  for (const [i, entry] of asArray(catalog ?? [], "token.catalog").entries()) {
    const service = asObject(entry, `token.catalog[${i}]`);
    const type = asString(service.type, `token.catalog[${i}].type`);
    for (const [j, item] of asArray(service.endpoints ?? [], `token.catalog[${i}].endpoints`).entries()) {
      const endpoint = asObject(item, `token.catalog[${i}].endpoints[${j}]`);
      // region_id is the v3 field; region is its older spelling, still sent by Keystone.
      const endpointRegion = optionalString(endpoint.region_id, "region_id") ?? optionalString(endpoint.region, "region");
      if (endpoint.interface === "public" && endpointRegion === region && !endpoints.has(type)) {
        endpoints.set(type, asString(endpoint.url, `token.catalog[${i}].endpoints[${j}].url`).replace(/\/+$/, ""));
      }
    }
  }
  return endpoints;
}
