// The local driver's load balancer: several kube-apiservers of one cluster
// behind one endpoint. The driver writes routes; one balancer process
// (main.ts) serves them all.
export { Balancer, type BalancerOptions } from "./balancer.ts";
export { type BackendStatus, type BalancerLogger, type LogFields, type RouteStatus } from "./route-server.ts";
export { balancerComponentName, balancerProcessSpec, balancerScript } from "./process-spec.ts";
export {
  defaultProbeIntervalMs,
  listRouteIds,
  parseRoute,
  readRoute,
  removeRoute,
  routeFile,
  setDraining,
  writeRoute,
  type Route,
  type RouteAddress,
  type RouteBackend,
  type RouteProbe,
} from "./routes.ts";
