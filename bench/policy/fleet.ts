// The benchmark's objects on the management API — Clusters (no control
// plane: only the objects and their labels, which is all the hub reads) and
// ClusterPolicies — and the bounded waits on the ClusterSyncs.
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type ClusterPolicy } from "@seedbed/api";
import { ObjectClient, SharedConnection } from "@seedbed/runtime";
import { pool } from "../scale/seed-setup.ts";
import { allInSync, changeLabel, clusterLabels, policySpec } from "./figures.ts";
import type { SyncObserver } from "./observe.ts";

const seedbed = `/apis/${apiVersion}`;

/** The admin's client on the management API, with a connection it closes. */
export class Hub {
  readonly client: ObjectClient;
  readonly #connection = new SharedConnection();
  readonly #namespace: string;

  constructor(admin: KubeConfig, namespace: string) {
    this.client = ObjectClient.fromKubeConfig(admin, this.#connection);
    this.#namespace = namespace;
  }

  /** Creates the Clusters (paused: nothing would run them anyway), ten at a time; the first `selected` carry the label the policies select. */
  async createClusters(names: readonly string[], selected: number): Promise<Cluster[]> {
    const made: Cluster[] = new Array<Cluster>(names.length);
    await pool(names.length, 10, async (i) => {
      const body = { apiVersion, kind: "Cluster", metadata: { name: names[i], namespace: this.#namespace, labels: clusterLabels(i, selected) }, spec: { paused: true } };
      made[i] = await this.client.request<Cluster>("POST", `${seedbed}/namespaces/${this.#namespace}/clusters`, { body });
    });
    return made;
  }

  /** Creates the policies, five at a time. */
  async createPolicies(names: readonly string[]): Promise<ClusterPolicy[]> {
    const made: ClusterPolicy[] = new Array<ClusterPolicy>(names.length);
    await pool(names.length, 5, async (i) => {
      const name = names[i] ?? "";
      const body = { apiVersion, kind: "ClusterPolicy", metadata: { name, namespace: this.#namespace }, spec: policySpec(name) };
      made[i] = await this.client.request<ClusterPolicy>("POST", `${seedbed}/namespaces/${this.#namespace}/clusterpolicies`, { body });
    });
    return made;
  }

  /** Change number `change` of a policy: its namespace entry gets the change label (a merge patch replaces the list). Returns the new generation. */
  async changePolicy(name: string, change: number): Promise<number> {
    const patched = await this.client.request<ClusterPolicy>("PATCH", `${seedbed}/namespaces/${this.#namespace}/clusterpolicies/${name}`, {
      body: { spec: { namespaces: policySpec(name, change).namespaces } },
      contentType: "application/merge-patch+json",
    });
    if (patched.spec.namespaces?.[0]?.labels?.[changeLabel] !== String(change)) throw new Error(`the change of ${name} did not take`);
    return patched.metadata.generation ?? 0;
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}

/** How a wait is bounded and reported. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** Throws when a child process is gone. */
  readonly alive: () => void;
  readonly log: (message: string) => void;
}

/** Waits until every cluster's ClusterSync shows every policy of `wanted` InSync at its generation; logs progress every 10 s; throws past the timeout naming a few that lag. */
export async function waitAllInSync(observer: SyncObserver, clusters: readonly string[], wanted: ReadonlyMap<string, number>, what: string, o: WaitOptions): Promise<void> {
  const began = performance.now();
  let lastReport = began;
  const done = (cluster: string): boolean => allInSync(observer.latest(cluster), wanted) || [...wanted].every(([policy, g]) => observer.inSyncAt(cluster, policy, g) !== undefined);
  for (;;) {
    const behind = clusters.filter((c) => !done(c));
    if (behind.length === 0) return;
    o.alive();
    const ms = performance.now() - began;
    if (ms > o.timeoutMs) {
      const examples = behind.slice(0, 3).map((c) => `${c}: ${JSON.stringify(Object.fromEntries(observer.latest(c)))}`);
      throw new Error(`${String(behind.length)} of ${String(clusters.length)} clusters not ${what} within ${String(o.timeoutMs / 1000)} s, e.g. ${examples.join("; ")}`);
    }
    if (performance.now() - lastReport >= 10_000) {
      lastReport = performance.now();
      const pairs = clusters.length * wanted.size;
      const count = (seen: (c: string, p: string, g: number) => number | undefined): number => clusters.reduce((s, c) => s + [...wanted].filter(([p, g]) => seen(c, p, g) !== undefined).length, 0);
      const listed = count((c, p, g) => observer.listedAt(c, p, g));
      const inSync = count((c, p, g) => observer.inSyncAt(c, p, g));
      o.log(`${String(clusters.length - behind.length)}/${String(clusters.length)} ${what} after ${(ms / 1000).toFixed(0)} s; cluster×policy pairs: ${String(listed)}/${String(pairs)} listed by the hub, ${String(inSync)}/${String(pairs)} InSync`);
    }
    await sleep(100);
  }
}
