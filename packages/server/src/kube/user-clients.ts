import { KubeConfig } from "@kubernetes/client-node";
import { makeApiClient, ObjectClient, SharedConnection } from "@seedbed/runtime";

/** Where the management kube-apiserver is and the CA its serving certificate chains to. */
export interface ManagementAPI {
  /** https://host:port */
  readonly server: string;
  /** PEM. */
  readonly ca: string;
}

/**
 * Clients that act as the caller: each carries the caller's own bearer
 * token and no other credential, so the management API's authentication
 * and RBAC decide every read and write. One connection pool serves all
 * callers: the pool holds only the CA (no client certificate), and the
 * token is set on each request.
 */
export class UserClients {
  readonly #api: ManagementAPI;
  readonly #connection = new SharedConnection();

  /** Clients for the management API at `api`. */
  constructor(api: ManagementAPI) {
    this.#api = api;
  }

  /** A kubeconfig holding only the server, its CA and `token`. */
  kubeConfig(token: string): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "management", server: this.#api.server, caData: Buffer.from(this.#api.ca).toString("base64"), skipTLSVerify: false }],
      users: [{ name: "caller", token }],
      contexts: [{ name: "caller", cluster: "management", user: "caller" }],
      currentContext: "caller",
    });
    return kc;
  }

  /** A client acting as the holder of `token`. */
  client(token: string): ObjectClient {
    return makeApiClient(this.kubeConfig(token), ObjectClient, this.#connection);
  }

  /** Closes the shared pool's idle connections. */
  async close(): Promise<void> {
    await this.#connection.close();
  }
}
