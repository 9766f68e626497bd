import {
  createConfiguration,
  ServerConfiguration,
  setHeaderMiddleware,
  type Configuration,
  type KubeConfig,
  type Middleware,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/**
 * One connection pool for every request of the clients built with it.
 *
 * Why: client-node 2.0.1's KubeConfig.applySecurityAuthentication builds a
 * new undici Agent for every request, so each API call opens a new TCP
 * connection and TLS handshake and leaves the old pool to idle out. Under
 * load that costs most of the time (and hundreds of MB of RSS) a
 * controller spends on the API. This middleware runs after
 * authentication and swaps in the first Agent it saw for every later
 * request. Headers (bearer tokens, exec credentials) are still applied per
 * request; TLS client certificates are those of the first request.
 */
export class SharedConnection implements Middleware {
  #dispatcher: Dispatcher | undefined;

  /** Replaces the request's fresh Agent with the shared one. */
  pre(context: RequestContext): Promise<RequestContext> {
    const fresh = context.getDispatcher();
    if (fresh !== undefined) {
      this.#dispatcher ??= fresh;
      context.setDispatcher(this.#dispatcher);
    }
    return Promise.resolve(context);
  }

  /** Leaves responses alone. */
  post(context: ResponseContext): Promise<ResponseContext> {
    return Promise.resolve(context);
  }

  /** Closes the pool's idle connections; requests in flight finish first. */
  async close(): Promise<void> {
    const dispatcher = this.#dispatcher;
    this.#dispatcher = undefined;
    await dispatcher?.close();
  }
}

/**
 * A client-node API client (CoreV1Api, …) for `kc` that reuses `connection`,
 * unlike `kc.makeApiClient`, which opens a new connection per request.
 */
export function makeApiClient<T>(kc: KubeConfig, apiType: new (configuration: Configuration) => T, connection: SharedConnection): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    middleware: [setHeaderMiddleware("User-Agent", "seedbed-runtime")],
    promiseMiddleware: [connection],
  });
  return new apiType(configuration);
}
