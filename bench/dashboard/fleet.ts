// The benchmark's clusters on the management API of `seedbed up`, written
// as the platform admin with $SEEDBED_HOME/management.kubeconfig. They are
// paused (spec.paused: the operator only adds its finalizer and starts no
// control plane, so 200 cost nothing but objects) and their status is
// written here through the status subresource, as the operator would.
import { KubeConfig } from "@kubernetes/client-node";
import { apiVersion, type Cluster } from "@seedbed/api";
import { ObjectClient, SharedConnection } from "@seedbed/runtime";
import { setTimeout as sleep } from "node:timers/promises";
import { pool } from "../scale/seed-setup.ts";
import { clusterLabels, clusterName, clusterStatus, type BenchPhase } from "./figures.ts";

const clustersPath = (namespace: string): string => `/apis/${apiVersion}/namespaces/${namespace}/clusters`;

/** The admin's client on the management API, for the fleet of one project namespace. */
export class Fleet {
  readonly #connection = new SharedConnection();
  readonly #client: ObjectClient;
  readonly #namespace: string;
  readonly #version: string;

  /** `version`: what the statuses say the clusters run. */
  constructor(o: { kubeconfigPath: string; namespace: string; version: string }) {
    const kc = new KubeConfig();
    kc.loadFromFile(o.kubeconfigPath);
    this.#client = ObjectClient.fromKubeConfig(kc, this.#connection);
    this.#namespace = o.namespace;
    this.#version = o.version;
  }

  /** Creates `count` paused Clusters, ten at a time, and gives each a Running status; returns their names. */
  async create(count: number): Promise<string[]> {
    const names = Array.from({ length: count }, (_, i) => clusterName(i));
    await pool(count, 10, async (i) => {
      const name = names[i] ?? "";
      const body = { apiVersion, kind: "Cluster", metadata: { name, namespace: this.#namespace, labels: clusterLabels(i) }, spec: { paused: true } };
      await this.#client.request<Cluster>("POST", clustersPath(this.#namespace), { body });
      await this.setPhase(name, "Running");
    });
    return names;
  }

  /** Writes cluster `name`'s status with `phase` (a merge patch of the status subresource). */
  async setPhase(name: string, phase: BenchPhase): Promise<void> {
    const body = { status: clusterStatus({ phase, version: this.#version, now: new Date() }) };
    await this.#client.request<Cluster>("PATCH", `${clustersPath(this.#namespace)}/${name}/status`, { body, contentType: "application/merge-patch+json" });
  }

  /**
   * Waits until the operator has added its finalizer to every cluster (its
   * only write to a paused one), so that no burst of its updates reaches the
   * page while something is measured; throws after `timeoutMs`.
   */
  async settled(count: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const list = await this.#client.request<{ items: Cluster[] }>("GET", clustersPath(this.#namespace));
      const done = list.items.filter((c) => (c.metadata.finalizers ?? []).length > 0 && c.status?.phase === "Running").length;
      if (done >= count) return;
      if (performance.now() > deadline) throw new Error(`only ${String(done)} of ${String(count)} clusters have the operator's finalizer and phase Running after ${String(timeoutMs / 1000)} s`);
      await sleep(500);
    }
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}
