import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { dedicatedKeyPrefix, exportTenant, importTenant, tenantKeyPrefix, type SharedEtcdAccess } from "../etcd/shared/index.ts";
import { readTenancy, recordTenancy } from "./shared-tenancy.ts";

/**
 * Moving a local cluster between an etcd of its own and a seed's shared
 * etcd: its keys are exported from the one ("/registry/…" or "/<id>/…")
 * and imported into the other with the prefix rewritten, with every writer
 * (API servers, controllers) stopped in between. The switch is one file:
 * datastore.json written (to Shared) or removed (to Dedicated) once the
 * import is complete. Until then the old data is untouched, so a move
 * interrupted anywhere starts over on the next pass; after it, the old
 * data goes.
 */

/** Which way a cluster's data moves. */
export type MoveDirection = { readonly to: "Shared"; readonly shared: string } | { readonly to: "Dedicated"; readonly from: string };

/** The directories of an etcd of the cluster's own: "etcd" and each further member's "etcd-<name>". */
export function dedicatedDataDirs(clusterDir: string): string[] {
  if (!existsSync(clusterDir)) return [];
  return readdirSync(clusterDir).filter((entry) => (entry === "etcd" || entry.startsWith("etcd-")) && statSync(join(clusterDir, entry)).isDirectory()).map((entry) => join(clusterDir, entry));
}

/**
 * The move a plan asks for, if any: to a shared etcd while the cluster's
 * data is in its own etcd, or back while it is in a shared one. A cluster
 * with no data yet moves nothing (it is simply built where the plan says).
 */
export function plannedMove(clusterDir: string, sharedWanted: string | undefined): MoveDirection | undefined {
  const current = readTenancy(clusterDir)?.shared;
  if (sharedWanted !== undefined && current === undefined) return dedicatedDataDirs(clusterDir).length > 0 ? { to: "Shared", shared: sharedWanted } : undefined;
  if (sharedWanted === undefined && current !== undefined) return { to: "Dedicated", from: current };
  return undefined;
}

/** What a move needs of the driver. */
export interface MoveContext {
  readonly clusterDir: string;
  readonly clusterId: string;
  /** Stops the processes that write to etcd (API servers, controllers), all at once; etcd keeps running. */
  readonly stopWriters: () => Promise<void>;
  /** Stops every process of the cluster (this run's and any an earlier run left). */
  readonly stopAll: () => Promise<void>;
  /** Starts the cluster's own etcd (rendered as for a Dedicated cluster) and waits until it serves; its client access. */
  readonly startOwnEtcd: () => Promise<SharedEtcdAccess>;
  /** Root access to a seed's shared etcd. */
  readonly sharedRoot: (name: string) => SharedEtcdAccess;
  /** Makes the cluster a tenant of a seed's shared etcd (user, role, certificate). */
  readonly makeTenant: (name: string) => Promise<void>;
  /** Removes the cluster as a tenant of a seed's shared etcd (user, keys, role). */
  readonly removeTenant: (name: string) => Promise<void>;
  /** Forgets the cluster's own etcd members (their record and ports). */
  readonly forgetOwnEtcd: () => Promise<void>;
}

/** What a move did: how many keys it carried, and how long the writers were stopped for the copy. */
export interface MoveResult {
  readonly keys: number;
  readonly copyMs: number;
}

/** Carries out a move (see the file comment). Writers stay stopped when it returns; the next start runs them on the new datastore. */
export async function moveDatastore(direction: MoveDirection, ctx: MoveContext): Promise<MoveResult> {
  const work = join(ctx.clusterDir, "move");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true, mode: 0o700 });
  const file = join(work, "export.jsonl");
  const started = Date.now();
  await ctx.stopWriters();
  let keys: number;
  if (direction.to === "Shared") {
    const own = await ctx.startOwnEtcd();
    const exported = await exportTenant(own, ctx.clusterId, file, { prefix: dedicatedKeyPrefix });
    await ctx.makeTenant(direction.shared);
    const imported = await importTenant(ctx.sharedRoot(direction.shared), ctx.clusterId, file, { fromPrefix: dedicatedKeyPrefix, toPrefix: tenantKeyPrefix(ctx.clusterId) });
    keys = imported.writtenKeys;
    if (keys !== exported.keys) throw new Error(`moving cluster ${ctx.clusterId} to the shared etcd of seed ${direction.shared}: ${exported.keys} keys exported but ${keys} written; the move is retried`);
    recordTenancy(ctx.clusterDir, { shared: direction.shared });
    await ctx.stopAll();
    for (const dir of dedicatedDataDirs(ctx.clusterDir)) rmSync(dir, { recursive: true, force: true });
    await ctx.forgetOwnEtcd();
  } else {
    // A fresh etcd of its own: anything an interrupted move left goes first.
    await ctx.stopAll();
    for (const dir of dedicatedDataDirs(ctx.clusterDir)) rmSync(dir, { recursive: true, force: true });
    await ctx.forgetOwnEtcd();
    const exported = await exportTenant(ctx.sharedRoot(direction.from), ctx.clusterId, file);
    const own = await ctx.startOwnEtcd();
    const imported = await importTenant(own, ctx.clusterId, file, { fromPrefix: tenantKeyPrefix(ctx.clusterId), toPrefix: dedicatedKeyPrefix });
    keys = imported.writtenKeys;
    if (keys !== exported.keys) throw new Error(`moving cluster ${ctx.clusterId} to an etcd of its own: ${exported.keys} keys exported but ${keys} written; the move is retried`);
    rmSync(join(ctx.clusterDir, "datastore.json"), { force: true });
    await ctx.removeTenant(direction.from);
  }
  rmSync(work, { recursive: true, force: true });
  return { keys, copyMs: Date.now() - started };
}
