import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ComponentHealth } from "../driver.ts";
import type { SharedDatastoreObservation } from "./shared-datastore.ts";

/** datastore.json in a cluster's directory: the shared etcd its data is in (absent: an etcd of its own). */
export interface Tenancy {
  /** The seed whose shared etcd it is. */
  readonly shared: string;
}

/** Where a cluster's data lives, as recorded when its API server was first pointed there. */
export function readTenancy(clusterDir: string): Tenancy | undefined {
  const file = join(clusterDir, "datastore.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Tenancy) : undefined;
}

/** Records the shared etcd a cluster uses, before anything is written there: a delete then knows what to remove. */
export function recordTenancy(clusterDir: string, tenancy: Tenancy): void {
  const file = join(clusterDir, "datastore.json");
  writeFileSync(`${file}.tmp`, `${JSON.stringify(tenancy)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The shared etcd as a tenant's "etcd" component: ready while a quorum of its members serves. */
export function sharedEtcdHealth(name: string, seen: SharedDatastoreObservation): ComponentHealth {
  const healthy = seen.members.filter((m) => m.healthy).length;
  const ready = seen.ready && healthy > seen.builtMembers / 2;
  return {
    name: "etcd",
    running: seen.ready,
    ready,
    restarts: 0,
    readyReplicas: healthy,
    ...(ready ? {} : { message: `the shared etcd of seed ${name} has ${healthy} of ${seen.builtMembers} members serving${seen.message === undefined ? "" : `: ${seen.message}`}` }),
  };
}
