import { OpenStackApiError, sendJson, type HttpOptions } from "./http.ts";
import type { KeystoneSession, ServiceType } from "./keystone.ts";

/**
 * The version prefix each service's catalog URL may lack: Nova's catalog
 * URL already carries /v2.1, Neutron's and Glance's usually stop at the
 * host (python-openstackclient appends the version the same way).
 */
const versionPrefix: Readonly<Record<ServiceType, string>> = { compute: "", network: "/v2.0", image: "/v2" };

/** Authenticated JSON calls to the services of one project's catalog. */
export class OpenStackClient {
  readonly #session: KeystoneSession;
  readonly #http: HttpOptions;

  constructor(session: KeystoneSession, http: HttpOptions) {
    this.#session = session;
    this.#http = http;
  }

  /**
   * Calls `path` of `service` and returns the parsed body. A 401 means the
   * token was revoked or expired early on the cloud's clock: authenticate
   * once more and repeat, which is safe because a refused request did
   * nothing.
   */
  async call(service: ServiceType, method: string, path: string, body?: unknown): Promise<unknown> {
    try {
      return await this.#once(service, method, path, body);
    } catch (error) {
      if (!(error instanceof OpenStackApiError) || error.status !== 401) throw error;
      return await this.#once(service, method, path, body);
    }
  }

  async #once(service: ServiceType, method: string, path: string, body: unknown): Promise<unknown> {
    const { token, endpoint } = await this.#session.access(service);
    const prefix = versionPrefix[service];
    const base = prefix !== "" && !endpoint.endsWith(prefix) ? endpoint + prefix : endpoint;
    try {
      const reply = await sendJson(this.#http, service, { method, url: base + path, token, body });
      return reply.body;
    } catch (error) {
      if (error instanceof OpenStackApiError && error.status === 401) this.#session.invalidate(token);
      throw error;
    }
  }
}
