import { resolve } from "node:path";
import { Balancer } from "./balancer.ts";
import type { BalancerLogger, LogFields } from "./route-server.ts";

// The balancer process: `node main.ts <routesDir>`. Plain node runs it
// (Node 24 strips the types), so it imports only node: modules and its
// own folder, and starts in a few tens of milliseconds.

/** One JSON line per event on stderr, the shape pino writes. */
function line(level: "info" | "warn", fields: LogFields, message: string): void {
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...fields })}\n`);
}

const log: BalancerLogger = {
  info: (fields, message) => {
    line("info", fields, message);
  },
  warn: (fields, message) => {
    line("warn", fields, message);
  },
};

const routesDir = process.argv[2];
if (routesDir === undefined || routesDir === "" || process.argv.length > 3) {
  process.stderr.write("usage: node main.ts <routesDir>\n  routesDir: the directory of <clusterId>.json routes (see writeRoute)\n");
  process.exit(2);
}

const balancer = new Balancer({ routesDir: resolve(routesDir), log });
balancer.start();
log.info({ routesDir: resolve(routesDir), pid: process.pid }, "Balancer started");

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "Balancer stopping");
  // Connections are destroyed, so closing is quick; should anything hang, the process still goes.
  setTimeout(() => process.exit(0), 5000).unref();
  void balancer.close().then(() => process.exit(0));
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
