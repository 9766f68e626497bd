// The public API of @seedbed/gateway: one TLS endpoint for every tenant
// cluster, routed by SNI to <cluster>.<project>.<domain> without
// terminating TLS.
export { maxClientHelloBytes, readServerName, type ClientHelloResult } from "./client-hello.ts";
export { normalizeServerName, startSNIProxy, type Backend, type SNIProxy, type SNIProxyOptions } from "./sni-proxy.ts";
export { clusterRoute, ClusterRoutes, isDNSLabel, isDNSName, parseEndpoint, routeName, type ClusterRoute, type ClusterRoutesOptions } from "./routes.ts";
export { clusterKindRef, watchClusterRoutes, type ClusterRouteWatch, type WatchClusterRoutesOptions } from "./watch-routes.ts";
