// The public API of @seedbed/server: the REST API for the dashboard and scripts.
export { buildServer, startServer, type RunningServer, type ServerOptions, type StartServerOptions } from "./server.ts";
export { isLoopback, listenRefusal, type ListenPlan } from "./listen.ts";
export type { App, KubeconfigProvider } from "./routes/context.ts";
export type { DashboardOptions } from "./routes/dashboard.ts";
export type { Caller } from "./auth/caller.ts";
export type { ErrorBody } from "./errors.ts";
