// Fills the tenant etcd the way a cluster's users do: ConfigMaps written
// through kube-apiserver, a few requests at once, until etcd's own database
// size reaches the target.
import { randomBytes } from "node:crypto";
import type { CoreV1Api } from "@kubernetes/client-node";
import type { EtcdClient } from "@seedbed/backup";
import { etcdDbBytes } from "./by-hand.ts";
import { objectsToAdd } from "./figures.ts";

/** What a fill writes with and where. */
export interface FillOptions {
  readonly core: CoreV1Api;
  readonly etcd: EtcdClient;
  readonly namespace: string;
  /** Characters of each ConfigMap's one value (under the API's 1 MiB per ConfigMap). */
  readonly valueBytes: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  readonly log: (message: string) => void;
}

/** Writes ConfigMaps into a namespace; counts what it wrote over all fills, so names never repeat. */
export class Filler {
  readonly #o: FillOptions;
  #written = 0;

  constructor(options: FillOptions) {
    this.#o = options;
  }

  /** ConfigMaps written so far. */
  get written(): number {
    return this.#written;
  }

  /** Writes until etcd's database is at least `targetBytes`; returns its size then. */
  async fillTo(targetBytes: number): Promise<number> {
    for (;;) {
      const current = await etcdDbBytes(this.#o.etcd);
      const count = objectsToAdd(current, targetBytes, this.#o.valueBytes);
      if (count === 0) return current;
      this.#o.log(`etcd holds ${(current / 1e6).toFixed(1)} MB; writing ${count} ConfigMaps of ${(this.#o.valueBytes / 1024).toFixed(0)} KiB`);
      await this.#write(count);
    }
  }

  /** `count` ConfigMaps, `concurrency` at a time, each with a value of its own (random, so nothing compresses it away). */
  async #write(count: number): Promise<void> {
    const first = this.#written;
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < count; i = next++) {
        const value = randomBytes(Math.ceil((this.#o.valueBytes * 3) / 4)).toString("base64").slice(0, this.#o.valueBytes);
        await this.#o.core.createNamespacedConfigMap({ namespace: this.#o.namespace, body: { metadata: { name: `fill-${first + i}` }, data: { value } } });
      }
    };
    await Promise.all(Array.from({ length: this.#o.concurrency }, worker));
    this.#written = first + count;
  }
}
