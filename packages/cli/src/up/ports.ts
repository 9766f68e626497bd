import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canBind, reservePorts, type StandalonePorts } from "@seedbed/controlplane";

/** The management API's port unless $SEEDBED_API_PORT says otherwise: the usual kube-apiserver port. */
const defaultAPIPort = 6443;

/**
 * The management plane's ports, chosen on the first start and kept in
 * $SEEDBED_HOME/ports.json, so kubeconfigs handed out stay valid across
 * restarts.
 */
export async function managementPorts(home: string, env: NodeJS.ProcessEnv = process.env): Promise<StandalonePorts> {
  const file = join(home, "ports.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as StandalonePorts;
  const wanted = env.SEEDBED_API_PORT === undefined ? defaultAPIPort : Number(env.SEEDBED_API_PORT);
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 65535) {
    throw new Error(`SEEDBED_API_PORT must be a port number between 1 and 65535, got "${env.SEEDBED_API_PORT ?? ""}"`);
  }
  if (!(await canBind(wanted))) {
    throw new Error(`port ${wanted} on 127.0.0.1 is in use: stop what listens there, or choose another with SEEDBED_API_PORT=<port> make up`);
  }
  const reservation = await reservePorts(3);
  const [etcdClient = 0, etcdPeer = 0, controllerManager = 0] = reservation.ports;
  const ports: StandalonePorts = { apiServer: wanted, etcdClient, etcdPeer, controllerManager };
  writeFileSync(file, `${JSON.stringify(ports, null, 2)}\n`);
  // From now on ports.json is the record; the lock files only guard the choice.
  reservation.release();
  return ports;
}

/** The ports of the platform's own services besides the management plane. */
export interface ServicePorts {
  /** The development OIDC issuer. */
  readonly issuer: number;
  /** The REST API. */
  readonly api: number;
  /** The SNI gateway, the one endpoint for all clusters. */
  readonly gateway: number;
}

/** Chosen on first start and kept in $SEEDBED_HOME/service-ports.json: the issuer URL is in every token and tenant configuration. */
export async function servicePorts(home: string): Promise<ServicePorts> {
  return keptPorts(join(home, "service-ports.json"), 3, ([issuer = 0, api = 0, gateway = 0]) => ({ issuer, api, gateway }));
}

/** The loopback ports of the one-machine real seed's control plane: kept in $SEEDBED_HOME/seed-ports.json, as the Seed's kubeconfig names its API's. */
export async function realSeedPorts(home: string): Promise<StandalonePorts> {
  return keptPorts(join(home, "seed-ports.json"), 5, ([apiServer = 0, etcdClient = 0, etcdPeer = 0, controllerManager = 0, scheduler = 0]) => ({ apiServer, etcdClient, etcdPeer, controllerManager, scheduler }));
}

/** Free ports chosen once and kept in `file`; later starts read them back. */
async function keptPorts<T>(file: string, count: number, name: (ports: readonly number[]) => T): Promise<T> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as T;
  const reservation = await reservePorts(count);
  const ports = name(reservation.ports);
  writeFileSync(file, `${JSON.stringify(ports, null, 2)}\n`);
  // From now on the file is the record; the lock files only guard the choice.
  reservation.release();
  return ports;
}
